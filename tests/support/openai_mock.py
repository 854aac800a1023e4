#!/usr/bin/env python3
"""A scripted OpenAI-compatible Chat Completions server for cria's tests (loopback only).

Usage: openai_mock.py SCRIPT.json LOG.jsonl PORTFILE

SCRIPT is a JSON array; request N (from 0) gets entry min(N, len-1):
  {"status": 500}                          an error status with a JSON error body
  {"text": "...", "tool_calls": [...],     a streamed reply: text in small deltas, then native
   "close_after": K, "stall_after": K,     tool calls; optionally the connection is closed (or
   "truncate": true, "delay": S}           stalls) after K deltas, or after all of them but
                                           before the finish chunk and [DONE] (truncate); each
                                           delta S seconds after the one before (delay)
Every request body is appended to LOG as one JSON line. The port is written to PORTFILE once the
server listens. GET /v1/models reports max_model_len 8192; with MOCK_LLAMA_SERVER=1 in the
environment the server answers as llama-server does instead (/v1/models without it, /props with
default_generation_settings.n_ctx 8192). The server exits after 120 s.
"""
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCRIPT = json.load(open(sys.argv[1]))
LOG = sys.argv[2]
COUNT = [0]
LOCK = threading.Lock()


def chunk(delta, finish=None):
    return {
        "id": "mock",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if os.environ.get("MOCK_LLAMA_SERVER") == "1":
            if self.path == "/props":
                answer = {"default_generation_settings": {"n_ctx": 8192}}
            else:
                answer = {"object": "list", "data": [{"id": "mock-model"}]}
        else:
            answer = {"object": "list", "data": [{"id": "mock-model", "max_model_len": 8192}]}
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        with LOCK:
            n = COUNT[0]
            COUNT[0] += 1
            with open(LOG, "a") as f:
                f.write(json.dumps(request) + "\n")
        entry = SCRIPT[min(n, len(SCRIPT) - 1)]
        if "status" in entry:
            body = json.dumps({"error": {"message": "scripted failure", "type": "server_error"}}).encode()
            self.send_response(entry["status"])
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        text = entry.get("text", "")
        pieces = [text[i:i + 7] for i in range(0, len(text), 7)]
        deltas = [{"role": "assistant", "content": ""}] + [{"content": p} for p in pieces]
        for i, call in enumerate(entry.get("tool_calls", [])):
            args = json.dumps(call["arguments"])
            deltas.append({"tool_calls": [{"index": i, "id": f"call_{i}", "type": "function",
                                            "function": {"name": call["name"], "arguments": ""}}]})
            for j in range(0, len(args), 5):
                deltas.append({"tool_calls": [{"index": i, "function": {"arguments": args[j:j + 5]}}]})
        for k, delta in enumerate(deltas):
            if entry.get("close_after") == k:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if entry.get("stall_after") == k:
                self.wfile.flush()
                time.sleep(60)
                return
            time.sleep(entry.get("delay", 0))
            self.wfile.write(f"data: {json.dumps(chunk(delta))}\n\n".encode())
            self.wfile.flush()
        if entry.get("truncate"):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        finish = "tool_calls" if entry.get("tool_calls") else "stop"
        self.wfile.write(f"data: {json.dumps(chunk({}, finish))}\n\n".encode())
        usage = {"id": "mock", "choices": [], "usage": {"prompt_tokens": 100, "completion_tokens": len(deltas)}}
        self.wfile.write(f"data: {json.dumps(usage)}\n\ndata: [DONE]\n\n".encode())
        self.wfile.flush()


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that hang up on purpose are part of the script


def main():
    server = Server(("127.0.0.1", 0), Handler)
    with open(sys.argv[3] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(sys.argv[3] + ".tmp", sys.argv[3])
    threading.Timer(120, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
