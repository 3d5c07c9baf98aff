#!/usr/bin/env python3
"""Writes the hand-made seeds of Tests/Fuzz/Corpus/<target>/seed-* (docs/FUZZING.md).
Deterministic; needs only Python's standard library. libFuzzer's finds sit beside them."""
import collections, io, os, pickle, struct, sys, types, zipfile, zlib

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.abspath(os.path.join(here, "..", ".."))
corpus = os.path.join(here, "Corpus")


def put(target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# --- image -----------------------------------------------------------------
def png(width, height, bit_depth, colour_type, rows, extra=()):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    for kind, body in extra:
        out += chunk(kind, body)
    return out + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def npy(descr, shape, data, version=1):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, repr(tuple(shape)))
    pre = 10 if version == 1 else 12
    header += " " * ((64 - (pre + len(header) + 1) % 64) % 64) + "\n"
    size = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + size + header.encode() + data


digit = [[(x * 9 + y * 5) % 256 if 8 <= x < 20 else 0 for x in range(28)] for y in range(28)]
put("image", "mnist.png", png(28, 28, 8, 0, digit))
put("image", "rgb16.png", png(4, 4, 16, 2, [[(x * 4096 + y * 512 + c) % 256 for x in range(4) for c in range(6)] for y in range(4)]))
put("image", "palette-trns.png", png(2, 2, 8, 3, [[0, 1], [1, 0]], [(b"PLTE", bytes(range(6))), (b"tRNS", b"\x80")]))
put("image", "grey-alpha-gama.png", png(3, 2, 8, 4, [[10, 255, 20, 128, 30, 0]] * 2, [(b"gAMA", struct.pack(">I", 45455))]))
put("image", "bomb.png", png(100000, 100000, 8, 0, [[0]]))  # IHDR claims 10^10 pixels, 1 row of data
put("image", "too-big-for-mnist.png", png(4000, 4000, 8, 2, [[0, 0, 0]]))  # under max_pixels, not 1x28x28
put("image", "p5.pgm", b"P5\n# grey\n28 28\n255\n" + bytes(v for r in digit for v in r))
put("image", "p5-16bit.pgm", b"P5 2 2 65535\n" + struct.pack(">4H", 0, 1, 65534, 65535))
put("image", "p2.pgm", b"P2\n3 2\n15\n0 1 2\n13 14 15\n")
put("image", "p3.ppm", b"P3 2 1 255\n255 0 0  0 255 128\n")
put("image", "p6.ppm", b"P6 2 2 255\n" + bytes(range(12)))
put("image", "f4.npy", npy("<f4", (1, 28, 28), b"".join(struct.pack("<f", v / 255) for r in digit for v in r)))
put("image", "u1-hwc.npy", npy("|u1", (4, 4, 3), bytes(range(48))))
put("image", "f8-v2.npy", npy("<f8", (2, 2), struct.pack("<4d", 0, 0.25, 0.5, 1), version=2))
for name in ["python.jpg", "python.png", "python.pgm", "python.ppm"]:
    for version in ["3.7.16", "3.6.15"]:
        path = "/root/.pyenv/versions/%s/lib/python%s/test/imghdrdata/%s" % (version, version.rsplit(".", 1)[0], name)
        if os.path.exists(path):
            put("image", "py-" + name, open(path, "rb").read())
            break

# --- http (first byte: the size of each write, 0 = one write) ----------------
def http(name, text, chunk=0):
    put("http", name, bytes([chunk]) + (text.encode("latin-1") if isinstance(text, str) else text))

http("health", "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
http("certify", "POST /v1/certify HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
http("certify-put-split", "PUT /v1/certify HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\nabcdefg", chunk=3)
http("chunked", "POST /v1/certify HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n2\r\nef\r\n0\r\n\r\n")
http("multipart",
     "POST /v1/certify HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 118\r\n\r\n"
     "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n"
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d.png\"\r\n\r\nPNG\r\n--XyZ--\r\n")
http("expect", "POST /v1/certify HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc")
http("pipelined", "GET /v1/version HTTP/1.1\r\n\r\nGET /v1/stats HTTP/1.1\r\n\r\nHEAD /v1/health HTTP/1.1\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n")
http("events", "GET /v1/events?after=3 HTTP/1.1\r\nLast-Event-ID: 2\r\n\r\n")
http("verdict", "GET /v1/verdicts/" + "ab" * 32 + " HTTP/1.1\r\n\r\nGET /v1/verdicts/xyz HTTP/1.1\r\n\r\n")
http("list", "GET /v1/verdicts?after=5&limit=2000&x HTTP/1.1\r\n\r\nGET /v1/verdicts?limit=0 HTTP/1.1\r\n\r\n")
http("routes", "POST /v1/reload HTTP/1.1\r\n\r\nGET /openapi.json HTTP/1.1\r\n\r\nGET /v1/config HTTP/1.1\r\n\r\n"
     "GET /v1/triggers HTTP/1.1\r\n\r\nDELETE /v1/health HTTP/1.1\r\n\r\nGET /nowhere HTTP/1.1\r\n\r\n")
http("http10", "GET /v1/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /v1/health HTTP/1.0\r\n\r\n")
http("too-large", "POST /v1/certify HTTP/1.1\r\nContent-Length: 5000\r\n\r\nabc")
http("garbage", "GARBAGE\r\n\r\n")

# --- config -----------------------------------------------------------------
put("config", "shipped.conf", open(os.path.join(root, "etc", "certssbd.conf"), "rb").read())
put("config", "small.conf", b'model_set = "/srv/a b"\nworkers = 1_0\nalpha = 0.01 # c\nmax_upload_bytes = 4M\n'
    b"socket_mode = 0640\ntarget_radius = triggers\nallow_uids = 0, 1000\ntrigger_reports = off\r\nbound = betting\n")
put("config", "quotes.conf", b'plugin_dir = "a\\"b\\\\c"\nwatch_dir = ""\nsigma_rule = grid\nlog_level = debug\n')

# --- modelset: [manifest length LE16][manifest.json][weights] ----------------
def safetensors(tensors):
    header, data = {}, b""
    for name, shape, values in tensors:
        raw = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    import json
    h = json.dumps(header, sort_keys=True).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data

import json, hashlib
shipped = json.load(open(os.path.join(root, "model", "mnist", "onepixel", "sigma1.25", "manifest.json")))
weights = safetensors([("x", [2, 2], [0.5, -1, 2, 0])])
for m in shipped["models"][:2]:
    m["sha256"] = hashlib.sha256(weights).hexdigest()
shipped["models"] = shipped["models"][:2]
shipped["n_models"] = 2
shipped.pop("search_models", None)
for key in ["training", "accuracy"]:  # free-form and large: small seeds fuzz faster
    shipped.pop(key, None)
for m in shipped["models"]:
    m.pop("source", None)
small = json.dumps(shipped, sort_keys=True).encode()
put("modelset", "two-models", struct.pack("<H", len(small)) + small + weights)
real = open(os.path.join(root, "model", "mnist", "onepixel", "sigma1.25", "model_0000.safetensors"), "rb").read()
n = struct.unpack("<Q", real[:8])[0]
put("modelset", "real-header", struct.pack("<H", len(small)) + small + real[:8 + n + 64])
shipped["search_models"] = [0]
shipped["models"][1]["file"] = "../x"
odd = json.dumps(shipped).encode()
put("modelset", "search-and-escape", struct.pack("<H", len(odd)) + odd + safetensors([]))

# --- torch: mode byte, then a raw file (0), a pickle (1) or [len][pickle][storage 0] (2) ---
torch = types.ModuleType("torch"); utils = types.ModuleType("torch._utils")
sys.modules["torch"] = torch; sys.modules["torch._utils"] = utils
torch._utils = utils
for storage in ["FloatStorage", "DoubleStorage", "HalfStorage", "LongStorage"]:
    cls = type(storage, (), {"__module__": "torch"}); setattr(torch, storage, cls)
def _rebuild_tensor_v2(*a): pass
def _rebuild_parameter(*a): pass
_rebuild_tensor_v2.__module__ = _rebuild_parameter.__module__ = "torch._utils"
utils._rebuild_tensor_v2 = _rebuild_tensor_v2; utils._rebuild_parameter = _rebuild_parameter

class Storage:
    def __init__(self, kind, key, numel): self.kind, self.key, self.numel = kind, key, numel
class Tensor:
    def __init__(self, storage, offset, size, stride, parameter=False):
        self.args = (storage, offset, size, stride, False, collections.OrderedDict())
        self.parameter = parameter
    def __reduce__(self):
        t = (_rebuild_tensor_v2, self.args)
        if self.parameter:
            inner = Tensor(*self.args[:4]); return (_rebuild_parameter, (inner, False, collections.OrderedDict()))
        return t
class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage): return ("storage", getattr(torch, obj.kind), obj.key, "cpu", obj.numel)
        return None
def dumps(obj):
    f = io.BytesIO(); Pickler(f, protocol=2).dump(obj); return f.getvalue()

f32, f64 = Storage("FloatStorage", "0", 16), Storage("DoubleStorage", "1", 4)
state = collections.OrderedDict()
state["conv.weight"] = Tensor(f32, 0, (2, 2, 2), (4, 2, 1), parameter=True)
state["conv.bias"] = Tensor(f32, 8, (2,), (1,))
state["t.view"] = Tensor(f32, 1, (3, 2), (1, 4))  # strided
state["fc.weight"] = Tensor(f64, 0, (2, 2), (2, 1))
state["bn.num_batches_tracked"] = Tensor(Storage("LongStorage", "1", 1), 0, (), ())
state._metadata = collections.OrderedDict({"": {"version": 1}})
good = dumps(state)
put("torch", "state-dict", b"\x01" + good)
put("torch", "one-storage", b"\x02" + struct.pack("<H", len(good)) + good + struct.pack("<16f", *range(16)) + b"\0" * 32)
put("torch", "protocol4", b"\x01" + pickle.dumps({"a": 1, "b": [1.5, None, True, b"x", (1, 2)]}, protocol=4))
put("torch", "os-system", b"\x01" + b"cos\nsystem\n(S'echo pwned'\ntR.")  # must be refused by name
put("torch", "builtins-eval", b"\x01\x80\x04\x8c\x08builtins\x8c\x04eval\x93\x8c\x041+1\x85R.")
def entry(name, compress=zipfile.ZIP_STORED):  # a fixed time, so the seeds are reproducible
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)); info.compress_type = compress; return info
zipped = io.BytesIO()
with zipfile.ZipFile(zipped, "w", zipfile.ZIP_STORED) as z:
    z.writestr(entry("model/data.pkl"), good)
    z.writestr(entry("model/byteorder"), "little")
    z.writestr(entry("model/data/0"), struct.pack("<16f", *range(16)))
    z.writestr(entry("model/data/1"), struct.pack("<4d", 1, 2, 3, 4))
put("torch", "zip", b"\x00" + zipped.getvalue())
deflated = io.BytesIO()
with zipfile.ZipFile(deflated, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr(entry("archive/data.pkl", zipfile.ZIP_DEFLATED), good)
    z.writestr(entry("archive/data/0", zipfile.ZIP_DEFLATED), b"\0" * 64)
    z.writestr(entry("archive/data/1", zipfile.ZIP_DEFLATED), b"\0" * 32)
put("torch", "zip-deflated", b"\x00" + deflated.getvalue())

# --- certify: bound, classes (bit 7: one sigmoid logit), models, label, alpha, sigma, flags, logits ---
def certify(name, bound, shape, models, label, alpha, sigma, flags, logits):
    put("certify", name, bytes([bound, shape, models, label]) + struct.pack("<dd", alpha, sigma) + bytes([flags])
        + struct.pack("<%df" % len(logits), *logits))
certify("binary-sigmoid", 0, 0x80, 9, 1, 0.001, 0.5, 0, [2.0] * 8 + [-1.0])
certify("softmax-3", 1, 1, 3, 0, 0.01, 0.25, 0, [3, 1, 0, 2, 2, 1, 5, 0, 0])
certify("betting", 2, 0, 63, 0, 0.001, 0.9, 0, [1.0, 0.0] * 64)
certify("best-nan", 3, 8, 1, 9, 0.5, 0.1, 0, [float("nan")] + [0.0] * 9)
certify("reports", 0, 0x80, 2, 0, 0.001, 0.5, 1, [1.0, 1.0]) 
put("certify", "reports-nan", open(os.path.join(corpus, "certify", "seed-reports"), "rb").read()
    + bytes([2, 2, 3]) + struct.pack("<I", 5) + struct.pack("<f", float("nan")) + bytes([1, 4]) + b"\0" * 16)
