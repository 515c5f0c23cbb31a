"""A real SMTP server for the contact-channel integration test: an aiosmtpd handler that
writes every message it accepts into a folder, so the test can count and read them.

    PYTHONPATH=<this folder> python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.FolderSink DIR

For each message, DIR/<n>.eml holds the raw message and DIR/<n>.txt a decoded summary:
"Message-ID: ...", "Subject: ...", "To: ..." lines, a blank line, then the text/plain body.
Both are written atomically (temporary file, then rename), the summary last.
"""
import email
import email.policy
import itertools
import os
import time


class FolderSink:
    """aiosmtpd handler: accept every message and keep it in `folder`."""

    def __init__(self, folder):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self.counter = itertools.count(1)

    @classmethod
    def from_cli(cls, parser, *args):
        """aiosmtpd passes the command line's CLASSARGS here: the folder."""
        if len(args) != 1:
            parser.error("FolderSink takes one argument: the folder")
        return cls(args[0])

    def _write(self, path, data):
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, path)

    async def handle_DATA(self, server, session, envelope):
        n = "%d-%04d" % (time.time_ns(), next(self.counter))
        base = os.path.join(self.folder, n)
        self._write(base + ".eml", envelope.content)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        summary = "Message-ID: %s\nSubject: %s\nTo: %s\n\n%s" % (
            msg.get("Message-ID", ""), str(msg.get("Subject", "")),
            ",".join(envelope.rcpt_tos), text)
        self._write(base + ".txt", summary.encode("utf-8"))
        return "250 Message accepted for delivery"
