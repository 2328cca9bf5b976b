"""SQLite sessions (messages, map, engine state, proposals) with versioned migrations."""

from .sessions import (
    SessionInfo,
    SessionNotFound,
    SessionRecord,
    SessionStore,
    StoredMessage,
    StoredProposal,
    StoreError,
    default_path,
    load_session_map,
)

__all__ = [
    "SessionInfo", "SessionNotFound", "SessionRecord", "SessionStore", "StoreError", "StoredMessage",
    "StoredProposal", "default_path", "load_session_map",
]
