"""The small error vocabulary shared by every layer.

Library code raises these; only the CLI and the UI turn them into one-line messages.
"""


class SanadError(Exception):
    """Base class: a problem the user can act on, with a message that says how."""


class IngestError(SanadError):
    """A source file could not be turned into an article (unreadable, undecodable, empty, binary)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexMissingError(SanadError):
    """No index exists at the configured location."""


class IndexMismatchError(SanadError):
    """The index on disk was built with settings the current configuration cannot read."""


class IndexCorruptError(SanadError):
    """An index file is missing, truncated or unreadable."""


class IndexWriteError(SanadError):
    """The index folder cannot be written (full disk, read-only, no permission); the live index is unchanged."""


class StoreUnavailableError(SanadError):
    """The index store cannot be reached or refuses the credentials (a Milvus server down, a wrong token)."""


class IndexBusyError(SanadError):
    """Another process is writing the index."""


class UnknownDocumentError(SanadError):
    """A doc_id that is not in the index."""


class EmbedderError(SanadError):
    """The embedding model could not be loaded or used."""


class QuestionError(SanadError):
    """A question that cannot be answered as given (empty, not text)."""


class ReaderError(SanadError):
    """The reading model could not be loaded (missing or damaged weights, unknown name)."""
