"""The journey map: pure pydantic, imports nothing else of journeybot."""
