"""The product's error types: one base class, a few kinds the entry points turn into messages."""


class AssistantError(Exception):
    """Base class of every error the product reports to a person."""


class ConfigError(AssistantError):
    """Settings are missing, contradictory or point at something unusable."""


class IngestError(AssistantError):
    """A file could not be ingested; the message says why in one line."""


class QuestionError(AssistantError):
    """A question cannot be answered as asked (empty, too long, binary)."""


class StoreError(AssistantError):
    """The vector store or registry is unreachable or damaged."""
