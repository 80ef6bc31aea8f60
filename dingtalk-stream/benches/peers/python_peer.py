"""Bench peer: the official Python SDK `dingtalk-stream`, acking every robot message at once.

Usage: DINGTALK_OPENAPI_ENDPOINT=http://127.0.0.1:PORT python python_peer.py CLIENT_ID CLIENT_SECRET
"""
import logging
import sys

import dingtalk_stream
from dingtalk_stream import AckMessage

# The SDK finds its LAN IP with a UDP connect to 8.8.8.8, which needs a route: patch it out.
dingtalk_stream.DingTalkStreamClient.get_host_ip = lambda self: "127.0.0.1"
logging.disable(logging.INFO)


class Handler(dingtalk_stream.ChatbotHandler):
    async def process(self, callback):
        return AckMessage.STATUS_OK, "OK"


client = dingtalk_stream.DingTalkStreamClient(dingtalk_stream.Credential(sys.argv[1], sys.argv[2]))
client.register_callback_handler(dingtalk_stream.ChatbotMessage.TOPIC, Handler())
client.start_forever()
