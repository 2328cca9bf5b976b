"""Model backends. Only this package (and the knowledge index) imports LangChain/openai."""
