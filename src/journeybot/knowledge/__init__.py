"""Method documents: reading and chunking them, the Chroma index, and cited hybrid retrieval.

Public API (import from the submodules; nothing heavy is imported until it is used):
``journeybot.knowledge.retriever``: Passage, Retriever, open_retriever;
``journeybot.knowledge.index``: KnowledgeIndex, IndexReport;
``journeybot.knowledge.embeddings``: Embedder, make_embedder;
``journeybot.knowledge.errors``: KnowledgeError.
"""
