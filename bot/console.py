"""A group chat in the terminal: one person plays several residents (`@alice /motion 装感应灯`).

`ConsoleChat` is also the console's outbox Sender: results, notices and the alarm's reminders are
queued like on every platform and printed when the drainer delivers them, so they show in order.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from .desk import Desk as Dispatcher
from .desk import subjects
from .desk.messages import Attachment, Incoming, Reply, Response

CHAT_ID = "main"
_SPEAKER = re.compile(r"^@(\S+)\s*(.*)$", re.S)
_PRESS = re.compile(r"^[\[［]\s*(.+?)\s*[\]］]$")
# A command sent with a file, as a caption goes with a file in a chat app: `/roster < 台账.xlsx`.
_WITH_FILE = re.compile(r"^([/／].*?)\s*<\s*(\S.*)$")
_FILE_NAME = re.compile(r"\S+\.(csv|xlsx|xls|txt|pdf|zip)", re.IGNORECASE)
# The console has no buttons to click: it says how to press one by typing its label.
BUTTON_HINT = "（按按钮：输入 @你的名字 [按钮文字]，例如 @alice [{label}] / press a button: @name [label]）"


def render_reply(reply: Reply) -> str:
    """A message as the console prints it: its buttons as `[label]`, and how to press them by typing."""
    lines = []
    if reply.title:
        lines.append(f"【{reply.title}】")
    lines.append(reply.text)
    for row in reply.buttons:
        lines.append("  ".join(f"[{b.label}]" for b in row))
    if reply.buttons and reply.buttons[0]:
        lines.append(BUTTON_HINT.format(label=reply.buttons[0][0].label))
    return "\n".join(lines)


@dataclass
class ConsoleChat:
    """Feeds typed lines to the dispatcher as one group chat and prints what the bot says."""

    dispatcher: Dispatcher
    title: str = "3号楼议事群"
    out: Callable[[str], None] = print
    speaker: str = "me"
    files_dir: Path | None = None  # where documents the bot sends are saved (None: not saved)
    echo: bool = True  # print the typed line (a script's transcript); off when a person types it
    posted: dict[str, str] = field(default_factory=dict)  # subject -> last text shown
    # The buttons of the messages shown, latest last: label -> data of each message that carried buttons.
    button_rows: list[dict[str, str]] = field(default_factory=list)
    # The outbox drainer's `deliver`: announcements the desk queued are printed as it sends them (None: not shown).
    deliver: Callable[[list[int]], Awaitable[object]] | None = None

    async def say(self, line: str) -> Response | None:
        line = line.strip()
        if not line:
            return None
        match = _SPEAKER.match(line)
        if match:
            self.speaker, line = match.group(1), match.group(2).strip()
        if not line:
            return None
        if self.echo:
            self.out(f"{self.speaker}: {line}")
        data = self._pressed(line)
        if data == "" or (data is None and not line.startswith(("/", "／"))):
            return None  # ordinary chat (or a button that is not there): the bot does not answer
        attachment = None
        sent_with_file = _WITH_FILE.match(line) if data is None else None
        if sent_with_file and (path := self._file_named(sent_with_file.group(2).strip())) is not None:
            attachment = self._attach(path)
            if attachment is None:
                return None
            line = sent_with_file.group(1).strip()
        incoming = Incoming(
            "console",
            CHAT_ID,
            self.speaker,
            self.speaker,
            text="" if data else line,
            data=data,
            chat_title=self.title,
            username=self.speaker,
            attachment=attachment,
        )
        response = await self.dispatcher.handle(incoming)
        self.show(response)
        if response.announced and self.deliver is not None:
            await self.deliver(response.announced)
        return response

    def _file_named(self, name: str) -> Path | None:
        """The file after `<` (in the files folder, else the working folder). None when the words after `<` are
        not a file name at all — "面积 < 100㎡" in a motion is text — so they are sent as typed."""
        path = Path(name).expanduser()
        if not path.is_absolute() and self.files_dir is not None and (self.files_dir / path).exists():
            return self.files_dir / path
        if path.exists() or _FILE_NAME.fullmatch(name):
            return path  # a name that looks like a file: if it cannot be read, the sender is told
        return None

    def _attach(self, path: Path) -> Attachment | None:
        """The file as sent; None (the sender is told) when it cannot be read."""
        try:
            return Attachment(path.name, path.read_bytes())
        except OSError as error:
            self.out(f"  (只给 {self.speaker} 看) 读不到文件 / cannot read the file: {path} ({error.strerror})")
            return None

    def _pressed(self, line: str) -> str | None:
        """The data of the button a line presses: `[赞成]` (the latest message that has that button), or `赞成`
        alone when it is a label of the latest message that carried buttons; "" for an unknown `[label]`."""
        bracketed = _PRESS.match(line)
        if bracketed is None:
            return self.button_rows[-1].get(line) if self.button_rows else None
        label = bracketed.group(1)
        for buttons in reversed(self.button_rows):
            if label in buttons:
                return buttons[label]
        self.out(f"  (只给 {self.speaker} 看) 没有“{label}”这个按钮 / no such button")
        return ""

    def _remember_buttons(self, reply: Reply) -> None:
        if reply.buttons:
            self.button_rows.append({button.label: button.data for row in reply.buttons for button in row})
            del self.button_rows[:-20]  # a long session does not keep every message's buttons

    def show(self, response: Response) -> None:
        if response.popup and not response.replies:
            self.out(f"  (只给 {self.speaker} 看) {response.popup}")
        for reply in response.replies:
            if reply.announce:
                continue  # queued in the outbox with the change: printed when the drainer sends it
            text = render_reply(reply)
            self._remember_buttons(reply)
            if reply.private:
                self.out(f"  (只给 {self.speaker} 看) " + text.replace("\n", "\n    "))
            else:
                self.out("议事助手: " + text.replace("\n", "\n    "))
            if reply.subject:
                self.posted[reply.subject] = reply.text
        for document in response.documents:
            if self.files_dir is None:
                self.out(f"  (文件 / file) {document.filename} ({len(document.content)} bytes)")
                continue
            path = self.files_dir / document.filename
            path.write_bytes(document.content)
            self.out(f"  (文件已保存 / file saved) {path}")
        for edit in response.edits:
            self._show_edit(edit.subject, edit.text)

    def _show_edit(self, subject: str, text: str) -> None:
        if self.posted.get(subject) == text:
            return
        self.posted[subject] = text
        if isinstance(subjects.recognise(subject), subjects.BallotMessage):
            self.out("  (表决消息已更新) " + text.replace("\n", "\n    "))

    # ---- the outbox Sender -----------------------------------------------------------------

    async def send(self, chat_key: str, reply: Reply) -> str | None:
        if reply.private:  # a private notice to someone else (the other teller, an owner): their own chat
            person = chat_key.partition(":")[2]
            self.out(f"  (私信给 {person} / to {person} only) " + render_reply(reply).replace("\n", "\n    "))
            return None
        self.out("议事助手: " + render_reply(reply).replace("\n", "\n    "))
        self._remember_buttons(reply)
        if reply.subject:
            self.posted[reply.subject] = reply.text
        return None

    async def edit(self, chat_key: str, reply: Reply) -> str | None:
        if reply.subject:
            self._show_edit(reply.subject, reply.text)
        return None


async def read_lines(chat: ConsoleChat, stdin=sys.stdin, after_line: Callable[[], None] | None = None) -> None:
    """Feed lines to the chat until end of input (Ctrl-D); a person typing gets a prompt."""
    interactive = stdin is sys.stdin
    print("议事助手 · 本地群聊。用 @名字 切换说话的人，例如：@alice /setup   （/help 查看命令，Ctrl-D 退出）")
    while True:
        if interactive:
            try:
                line = await asyncio.to_thread(input, f"{chat.speaker}> ")
            except EOFError:
                break
        else:
            line = stdin.readline()
            if not line:
                break
        await chat.say(line)
        if after_line is not None:
            after_line()
