"""Conformance driver: the official dingtalk-stream SDK connects to the sandbox, receives one robot
message, replies through the session webhook and acks it. Exits 0 on success.

Usage: DINGTALK_OPENAPI_ENDPOINT=http://127.0.0.1:PORT python conformance.py CLIENT_ID CLIENT_SECRET
"""
import asyncio
import os
import sys

import dingtalk_stream
from dingtalk_stream import AckMessage

# The SDK finds its LAN IP with a UDP connect to 8.8.8.8, which needs a route: patch it out.
dingtalk_stream.DingTalkStreamClient.get_host_ip = lambda self: "127.0.0.1"

received = asyncio.Event()


class Handler(dingtalk_stream.ChatbotHandler):
    async def process(self, callback: dingtalk_stream.CallbackMessage):
        incoming = dingtalk_stream.ChatbotMessage.from_dict(callback.data)
        text = incoming.text.content.strip()
        reply = self.reply_text("echo: " + text, incoming)
        print("RECEIVED", text, "REPLY", reply, flush=True)
        received.set()
        return AckMessage.STATUS_OK, "OK"


async def main():
    client = dingtalk_stream.DingTalkStreamClient(dingtalk_stream.Credential(sys.argv[1], sys.argv[2]))
    client.register_callback_handler(dingtalk_stream.ChatbotMessage.TOPIC, Handler())
    task = asyncio.create_task(client.start())
    print("STARTED", flush=True)
    await asyncio.wait_for(received.wait(), timeout=30)
    await asyncio.sleep(0.5)  # let the ack frame leave
    task.cancel()
    # The SDK swallows cancellation and sleeps 10 s before retrying: leave at once.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    asyncio.run(main())
