"""The method as data: phases, pitfalls and word lists loaded from prompts/method/*.yaml."""
