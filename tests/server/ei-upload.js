#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Prints an Edge Impulse data acquisition message built the way Edge
// Impulse's data forwarder builds one (edge-impulse-cli, cli/data-forwarder.ts):
// JSON.stringify of the message with a signature of 64 '0' characters, the
// HMAC-SHA256 of that text under the HMAC key, the hex HMAC put in place of
// the zeros and the message stringified again.
//
//   node ei-upload.js HMAC_KEY DEVICE_NAME INTERVAL_MS SENSORS_JSON VALUES_JSON IAT
'use strict';
const crypto = require('crypto');

const [hmacKey, deviceName, intervalMs, sensors, values, iat] = process.argv.slice(2);
const message = {
    protected: { ver: 'v1', alg: 'HS256', iat: Number(iat) },
    signature: '0'.repeat(64),
    payload: {
        device_name: deviceName,
        device_type: 'DATA_FORWARDER',
        interval_ms: Number(intervalMs),
        sensors: JSON.parse(sensors),
        values: JSON.parse(values),
    },
};
const unsigned = JSON.stringify(message);
message.signature = crypto.createHmac('sha256', hmacKey).update(unsigned).digest('hex');
process.stdout.write(JSON.stringify(message));
