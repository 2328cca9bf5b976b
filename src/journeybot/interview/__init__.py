"""The interviewer: phase engine, proposals, rule-based reader, agent and the Interview orchestrator.

Import the orchestrator from ``journeybot.interview.session`` (this package's ``__init__`` stays
empty so the pure engine can be imported alone).
"""
