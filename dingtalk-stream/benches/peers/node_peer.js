// Bench peer: the official Node SDK `dingtalk-stream`, acking every robot message at once.
// Usage: NODE_PATH=bench-peers/node/node_modules DINGTALK_OPENAPI_ENDPOINT=http://127.0.0.1:PORT \
//        node node_peer.js CLIENT_ID CLIENT_SECRET
'use strict';
// The gateway URL is a module constant read at call time: point it at the sandbox.
const constants = require('dingtalk-stream/constants');
constants.GATEWAY_URL = process.env.DINGTALK_OPENAPI_ENDPOINT + '/v1.0/gateway/connections/open';
const { DWClient, TOPIC_ROBOT } = require('dingtalk-stream');

const client = new DWClient({ clientId: process.argv[2], clientSecret: process.argv[3] });
client.registerCallbackListener(TOPIC_ROBOT, (res) => {
  client.socketCallBackResponse(res.headers.messageId, null);
});
client.connect();
