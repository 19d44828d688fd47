"""What adapters hand to the core and get back: platform-neutral messages, buttons and replies."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attachment:
    """A file sent with a command (a register for /roster): as received, checked by whoever reads it."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class Incoming:
    """A command or button press, as any platform delivers it."""

    platform: str  # "telegram", "console", "wecom"
    chat_id: str
    user_id: str
    user_name: str
    text: str = ""  # "/motion 在3号楼安装感应灯", or empty for a button press
    data: str | None = None  # button data ("v:4:y"), for presses
    chat_title: str = ""
    chat_is_group: bool = True
    username: str | None = None
    is_admin: bool = False  # a platform group administrator (a chair by default)
    user_locale: str | None = None
    update_key: str | None = None  # the same key twice means a re-delivery
    attachment: Attachment | None = None  # the file the command came with (its caption), if any
    # Who acts when it is not the chat's platform: the hall (bot.hall) acts in a council's chat for a member
    # who may have joined on another platform ("web" for those who joined on the page).
    user_platform: str | None = None
    via_web: bool = False  # a vote from the H5 ballot page (the attempts ledger names its channel)
    # The file of the message this command replied to (the photo of a signed 委托书): the platform's file id,
    # and its bytes where the adapter could fetch them.
    reply_file_id: str | None = None
    reply_file: bytes | None = None

    @property
    def chat_key(self) -> str:
        return f"{self.platform}:{self.chat_id}"

    @property
    def user_key(self) -> str:
        return f"{self.user_platform or self.platform}:{self.user_id}"


@dataclass(frozen=True)
class Button:
    """A button under a message; its data comes from bot.desk.buttons."""

    label: str
    data: str  # ids only; checked against the database when pressed


@dataclass(frozen=True)
class Reply:
    """One message for the chat. `subject` ("motion:3", "ballot:4") names a message that later edits replace."""

    text: str
    title: str | None = None
    buttons: tuple[tuple[Button, ...], ...] = ()
    subject: str | None = None
    pin: bool = False
    private: bool = False  # to the person who asked only (a pop-up, or a private message)
    # An announcement that must reach the group (a result, a notice to a parent motion): the desk
    # queued it in the outbox, committed with the change, so the adapter must not send it itself.
    announce: bool = False


@dataclass(frozen=True)
class Edit:
    """Replace the message posted for `subject` (coalesced by adapters that can edit)."""

    subject: str
    text: str
    title: str | None = None
    buttons: tuple[tuple[Button, ...], ...] = ()


@dataclass(frozen=True)
class Document:
    """A file for the chat (minutes exports)."""

    filename: str
    content: bytes
    caption: str | None = None


@dataclass
class Response:
    """The desk's whole answer to one update, for the adapter to show."""

    replies: list[Reply] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    popup: str | None = None  # the small answer to a button press
    quiet: bool = False  # a confirmation many members trigger at once: no group message
    duplicate: bool = False  # a re-delivered update: nothing was done
    refused: bool = False
    refusal: str | None = None  # the catalogue key of the refusal ("error.role_required"), when refused
    # The asker's own message gave away what must stay secret (a typed vote in a secret ballot): the adapter
    # removes it where the platform lets it, answers privately, and never reacts to it.
    withdraw: bool = False
    # A refusal only its asker needs (a non-member's command): sent privately where the platform can; and
    # `repeated` when this person had it in this chat within the last few minutes (bot.desk.repeats): an
    # adapter whose refusals show in the group then says nothing.
    personal: bool = False
    repeated: bool = False
    # The replies carry a personal secret (a sign-in link): privately or not at all, never in a group; where
    # the platform cannot write privately, the group gets only `popup` (a hint).
    private_only: bool = False
    locale: str = "zh_Hans"
    council_id: int | None = None
    announced: list[int] = field(default_factory=list)  # outbox rows queued with this change: send them now
