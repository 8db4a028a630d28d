#!/usr/bin/env node
// smartdc's signature harness: judges one signed request as CloudAPI 9.20 does.
//   sdc-cloudapi lib/authorization.js: http-signature 1.4.0 parseRequest with its algorithm list
//     (default clock skew, 300 s); lib/auth.js: the keyId forms it accepts; then verifySignature.
//   CLOUDAPI_BEFORE_9_18=1: without ed25519-sha512, as servers before 9.18 are.
// Usage: node verify.js PUBLIC_KEY_FILE < REQUEST_JSON
//   REQUEST_JSON: {"method": "GET", "path": "/login/machines", "headers": {"date": ..., ...}}
// Prints "ok" (exit 0) or "bad: <why>" (exit 1).
'use strict';
var fs = require('fs');
var httpSignature = require('http-signature');
var sshpk = require('sshpk');

var algorithms = ['rsa-sha1', 'rsa-sha256', 'rsa-sha384', 'rsa-sha512', 'dsa-sha1',
    'dsa-sha256', 'ecdsa-sha256', 'ecdsa-sha384', 'ecdsa-sha512'];
if (!process.env.CLOUDAPI_BEFORE_9_18) {
    algorithms.push('ed25519-sha512');
}

function verdict(text, code) {
    console.log(text);
    process.exit(code);
}

var key = sshpk.parseKey(fs.readFileSync(process.argv[2], 'utf8'), 'auto');
var sent = JSON.parse(fs.readFileSync(0, 'utf8'));
var headers = {};
Object.keys(sent.headers).forEach(function (name) {
    headers[name.toLowerCase()] = sent.headers[name];
});

var parsed;
try {
    parsed = httpSignature.parseRequest(
        {method: sent.method, url: sent.path, httpVersion: '1.1', headers: headers},
        {algorithms: algorithms});
} catch (err) {
    verdict('bad: ' + err.name + ': ' + err.message, 1);
}

// /LOGIN/keys/KEY or /ACCOUNT/users/USER/keys/KEY, naming a real login
var parts = parsed.keyId.split('/');
var account = parts.length === 4 && parts[2] === 'keys';
var subUser = parts.length === 6 && parts[2] === 'users' && parts[4] === 'keys';
if (parts[0] !== '' || !(account || subUser)) {
    verdict('bad: keyId is not /LOGIN/keys/KEY or /ACCOUNT/users/USER/keys/KEY: ' +
        parsed.keyId, 1);
}
if (parts[1] === 'my') {
    verdict('bad: keyId names "my" instead of the login', 1);
}
var named = parts[parts.length - 1];
var md5 = key.fingerprint('md5').toString('hex');
if (/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/.test(named) && named !== md5) {
    verdict('bad: keyId names the key ' + named + ', this key is ' + md5, 1);
}
if (!httpSignature.verifySignature(parsed, key)) {
    verdict('bad: the signature does not verify with this key', 1);
}
verdict('ok', 0);
