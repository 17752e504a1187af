// The add_permission seed's first example through the AWS SDK for JavaScript v3, against a real lambdalite binary
// (target/debug/lambdalite, built by scripts/test) on a free loopback port. The binary is stopped by its PID.

import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";

import {
  AddPermissionCommand,
  CreateFunctionCommand,
  GetPolicyCommand,
  LambdaClient,
  RemovePermissionCommand,
  ResourceConflictException,
  ResourceNotFoundException,
} from "@aws-sdk/client-lambda";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = process.env.LAMBDALITE_BIN ?? path.join(ROOT, "target", "debug", "lambdalite");

const SEED_S3 =
  '{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction",' +
  '"Resource":"arn:aws:lambda:us-east-2:123456789012:function:my-function","Condition":{"StringEquals":' +
  '{"AWS:SourceAccount":"123456789012"},"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::my-bucket-1xpuxmplzrlbh"}}}';

let server;
let client;

/** A one-file zip with the entry stored uncompressed, built by hand so the test needs no zip package. */
function zipOf(name, text) {
  const data = Buffer.from(text);
  const file = Buffer.from(name);
  const crc = zlib.crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(file.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(file.length, 28);
  const centralOffset = local.length + file.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + file.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, file, data, central, file, end]);
}

before(async () => {
  server = spawn(BIN, ["--host", "127.0.0.1", "--port", "0"], {
    stdio: ["ignore", "pipe", "ignore"],
    env: { ...process.env, RUST_LOG: "warn" },
  });
  const lines = createInterface({ input: server.stdout });
  const [first] = await Promise.race([
    once(lines, "line"),
    once(server, "exit").then(([code]) => {
      throw new Error(`lambdalite exited with ${code} before its ready line`);
    }),
  ]);
  const prefix = "lambdalite listening on ";
  assert.ok(first.startsWith(prefix), `unexpected first line: ${first}`);
  client = new LambdaClient({
    endpoint: first.slice(prefix.length).trim(),
    region: "us-east-2",
    credentials: { accessKeyId: "123456789012", secretAccessKey: "secret" },
    maxAttempts: 1,
  });
  await client.send(
    new CreateFunctionCommand({
      FunctionName: "my-function",
      Runtime: "python3.12",
      Role: "arn:aws:iam::123456789012:role/lambda-role",
      Handler: "index.handler",
      Code: { ZipFile: zipOf("index.py", "def handler(event, context):\n    return 1\n") },
    }),
  );
});

after(async () => {
  client?.destroy();
  if (server && server.exitCode === null) {
    const exited = once(server, "exit");
    process.kill(server.pid, "SIGTERM");
    await exited;
  }
});

test("the seed's first add_permission example comes back byte for byte", async () => {
  const out = await client.send(
    new AddPermissionCommand({
      Action: "lambda:InvokeFunction",
      FunctionName: "my-function",
      Principal: "s3.amazonaws.com",
      SourceAccount: "123456789012",
      // The seed passes ".../*" but shows the statement without it: AWS echoes SourceArn verbatim, so the value
      // that reproduces the shown output is the one without "/*".
      SourceArn: "arn:aws:s3:::my-bucket-1xpuxmplzrlbh",
      StatementId: "s3",
    }),
  );
  assert.equal(out.$metadata.httpStatusCode, 201);
  assert.equal(out.Statement, SEED_S3);

  const policy = await client.send(new GetPolicyCommand({ FunctionName: "my-function" }));
  assert.equal(policy.Policy, `{"Version":"2012-10-17","Id":"default","Statement":[${SEED_S3}]}`);
  assert.match(policy.RevisionId, /^[0-9a-f-]{36}$/);
});

test("a wildcard SourceArn is echoed with its wildcard", async () => {
  const out = await client.send(
    new AddPermissionCommand({
      Action: "lambda:InvokeFunction",
      FunctionName: "my-function",
      Principal: "s3.amazonaws.com",
      SourceArn: "arn:aws:s3:::my-bucket-1xpuxmplzrlbh/*",
      StatementId: "s3-wildcard",
    }),
  );
  assert.deepEqual(JSON.parse(out.Statement).Condition, {
    ArnLike: { "AWS:SourceArn": "arn:aws:s3:::my-bucket-1xpuxmplzrlbh/*" },
  });
  await client.send(new RemovePermissionCommand({ FunctionName: "my-function", StatementId: "s3-wildcard" }));
});

test("errors arrive as the SDK's modeled exception classes", async () => {
  await assert.rejects(
    client.send(
      new AddPermissionCommand({
        Action: "lambda:InvokeFunction",
        FunctionName: "my-function",
        Principal: "s3.amazonaws.com",
        StatementId: "s3",
      }),
    ),
    (err) => {
      assert.ok(err instanceof ResourceConflictException);
      assert.equal(err.$metadata.httpStatusCode, 409);
      assert.equal(err.Type, "User");
      assert.equal(
        err.message,
        "The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing statement.",
      );
      return true;
    },
  );
  await assert.rejects(
    client.send(new GetPolicyCommand({ FunctionName: "my-function", Qualifier: "1" })),
    (err) => {
      assert.ok(err instanceof ResourceNotFoundException);
      assert.equal(err.$metadata.httpStatusCode, 404);
      assert.equal(err.message, "The resource you requested does not exist.");
      return true;
    },
  );
});
