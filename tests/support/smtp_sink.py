"""A real SMTP server for the tests: aiosmtpd, saving each message it accepts.

Usage: python smtp_sink.py PORT FOLDER

Every accepted message is written to FOLDER as <n>.eml (atomically), with the
envelope recipients in a header line `X-Envelope-To`. The process prints
`ready` once it listens and runs until it is killed.
"""

import os
import threading
import sys
import uuid

from aiosmtpd.controller import Controller


class Save:
    def __init__(self, folder):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        name = f"{uuid.uuid4().hex}.eml"
        tmp = os.path.join(self.folder, "." + name)
        with open(tmp, "wb") as f:
            f.write(b"X-Envelope-To: " + ", ".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        os.replace(tmp, os.path.join(self.folder, name))
        return "250 Message accepted for delivery"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    controller = Controller(Save(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
