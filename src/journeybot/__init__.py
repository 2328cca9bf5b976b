"""journeybot: build customer journey maps by talking to a terminal assistant that knows the method."""

__version__ = "0.1.0"
