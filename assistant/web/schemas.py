"""Request and response models of the JSON API (they make up the OpenAPI document)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .feedback import MAX_COMMENT_CHARS


class HistoryTurn(BaseModel):
    """One earlier message of the conversation."""

    role: Literal["user", "assistant"] = Field(description="Who wrote the message.")
    content: str = Field(description="The message text (only the first 4,000 characters count).")


class ChatRequest(BaseModel):
    """A question, with the conversation so far for follow-up questions."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"question": "Vem kan söka projektstöd för kompetensförsörjning?", "history": []},
        {"question": "Och hur mycket kan man få?",
         "history": [{"role": "user", "content": "Vem kan söka?"}]},
    ]})

    question: str = Field(
        description="The question, Swedish or English. Empty, longer than 2,000 characters, "
        "binary or control characters: HTTP 422 with a refused answer carrying `error`.")
    history: list[HistoryTurn] = Field(
        default_factory=list, description="Earlier turns, oldest first; the last 20 are used.")
    channel: Literal["api", "embed"] = Field(
        "api", description="Where the question was asked: 'embed' from the widget, 'api' "
        "otherwise (logged with the question for the staff view, if question logging is on).")


class CitationModel(BaseModel):
    """A cited passage."""

    n: int = Field(description="The marker number, as in [n] in the answer.")
    doc_id: str
    title: str
    doc_type: Literal["call", "decision", "report", "other"]
    page: int | None = Field(description="Page of a PDF; null for text without pages.")
    section: str | None = Field(description="Heading path of the cited section.")
    text: str = Field(description="The quoted passage.")
    source: str = Field(description="Where the app serves the original: /documents/{doc_id}"
                        "#page=N.")
    quote: str = Field(description="The cited sentence inside `text`.")


class AnswerModel(BaseModel):
    """The answer object, identical to ``assistant ask --json``."""

    answer: str = Field(description="Answer text with [n] citation markers, or the refusal.")
    refused: bool = Field(description="True when the documents do not answer the question "
                          "(the text names who to contact) or the input was refused.")
    language: Literal["sv", "en"]
    kind: str = Field(description="What kind of question it was ('eligibility', "
                      "'funding_cap', ..., 'invalid', 'injection').")
    citations: list[CitationModel]
    error: str | None = Field(None, description="Only for invalid input: what is wrong.")


class FeedbackRequest(BaseModel):
    """A thumbs up or down on an answer, or a comment added to earlier feedback."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"question": "Vem kan söka?", "answer": "Enligt utlysningen …", "rating": "up"},
        {"answer_id": "3f2a9c0d1b7e4a55", "rating": "down", "comment": "Saknar datum."},
        {"feedback_id": "Yx3…", "comment": "Svaret var bra men kort."},
    ]})

    feedback_id: str | None = Field(
        None, max_length=64, description="Update earlier feedback (its `feedback_id`).")
    answer_id: str | None = Field(
        None, max_length=64, description="Id of a recent answer: the `id:` line of the SSE "
        "`answer` event or the `X-Answer-Id` header of /api/chat.")
    question: str | None = Field(None, max_length=4000, description="The question asked.")
    answer: str | None = Field(None, max_length=20000, description="The answer text rated.")
    rating: Literal["up", "down"] | None = Field(
        None, description="Required for new feedback.")
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS,
                                description="Optional comment, at most 1,000 characters.")
    channel: Literal["api", "embed"] = Field("api", description="Which front end sent it.")


class FeedbackResponse(BaseModel):
    """Stored feedback."""

    feedback_id: str = Field(description="Send it back with a comment to update this feedback.")


class ErrorModel(BaseModel):
    """A request the API cannot serve."""

    detail: str


class HealthModel(BaseModel):
    """The server is up and has this many documents."""

    status: Literal["ok"]
    documents: int
