/**
 * The program of the resident text extractor (pdftotext-resident.ts), run by `python3 -c`: poppler's
 * own library (libpoppler-glib, the same text engine as pdftotext) called through Python's standard
 * ctypes, kept loaded for the life of the workers process, so a document costs its extraction only
 * (~0.1 ms of CPU for one page) and not a pdftotext start (~5 ms of loading shared libraries each time).
 *
 * One tiny document stays open all along, so poppler's global tables are built once per process
 * and not at every document (they are freed when no document is open).
 *
 * Protocol on stdin/stdout, one request at a time, answers in order: the extractor first writes
 * `R` (ready) or `X` (the library is missing); a request is its length (4 bytes, big endian) and
 * the PDF's bytes; an answer is `t` (text) or `e` (error), a length and UTF-8 bytes.
 *
 * pdftotext writes a space where two text blocks meet on one line (two columns of a heading);
 * poppler_page_get_text does not, so a space is put back wherever the next glyph does not follow
 * the previous one on its line (a gap wider than 0.3 of the glyph's height, a step back, or
 * another line): after whitespace folding (normalizeText) the words are pdftotext's.
 */
export const RESIDENT_EXTRACTOR_PY = String.raw`
import ctypes, ctypes.util, struct, sys
from ctypes import c_void_p, c_char_p, c_int, c_uint, c_double, POINTER, byref
out = sys.stdout.buffer
inp = sys.stdin.buffer
def load(name, soname):
    try:
        return ctypes.CDLL(soname)
    except OSError:
        found = ctypes.util.find_library(name)
        if not found:
            raise
        return ctypes.CDLL(found)
try:
    pg = load('poppler-glib', 'libpoppler-glib.so.8')
    gl = load('glib-2.0', 'libglib-2.0.so.0')
    go = load('gobject-2.0', 'libgobject-2.0.so.0')
except OSError:
    out.write(b'X'); out.flush(); sys.exit(0)
pg.poppler_document_new_from_data.restype = c_void_p
pg.poppler_document_new_from_data.argtypes = [c_char_p, c_int, c_char_p, POINTER(c_void_p)]
pg.poppler_document_get_n_pages.argtypes = [c_void_p]
pg.poppler_document_get_page.restype = c_void_p
pg.poppler_document_get_page.argtypes = [c_void_p, c_int]
pg.poppler_page_get_text.restype = c_void_p
pg.poppler_page_get_text.argtypes = [c_void_p]
pg.poppler_page_get_text_layout.restype = c_int
pg.poppler_page_get_text_layout.argtypes = [c_void_p, POINTER(c_void_p), POINTER(c_uint)]
gl.g_free.argtypes = [c_void_p]
gl.g_error_free.argtypes = [c_void_p]
go.g_object_unref.argtypes = [c_void_p]
MAX_PAGES = int(sys.argv[1])
MAX_BYTES = int(sys.argv[2])

def tiny_pdf():
    objs = [b'<</Type/Catalog/Pages 2 0 R>>', b'<</Type/Pages/Kids[3 0 R]/Count 1>>',
            b'<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>']
    body = b'%PDF-1.4\n'; offsets = []
    for i, o in enumerate(objs):
        offsets.append(len(body)); body += b'%d 0 obj' % (i + 1) + o + b'endobj\n'
    xref = len(body)
    body += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objs) + 1)
    body += b''.join(b'%010d 00000 n \n' % o for o in offsets)
    return body + b'trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n' % (len(objs) + 1, xref)

# poppler-glib builds its global tables (font and Unicode name maps) when the first document opens
# and frees them when the last one closes: ~0.6 ms each time, most of a one-page extraction. One
# small document kept open for the life of the process keeps them (its bytes must stay alive too).
KEEPER_PDF = tiny_pdf()
KEEPER = pg.poppler_document_new_from_data(KEEPER_PDF, len(KEEPER_PDF), None, None)

def page_text(page):
    tp = pg.poppler_page_get_text(page)
    if not tp:
        return ''
    try:
        t = ctypes.string_at(tp).decode('utf-8', 'replace')
    finally:
        gl.g_free(tp)
    rp = c_void_p(); n = c_uint()
    if not pg.poppler_page_get_text_layout(page, byref(rp), byref(n)):
        return t
    try:
        r = (c_double * (4 * n.value)).from_address(rp.value)[:] if n.value else []
    finally:
        gl.g_free(rp)
    if n.value != len(t):
        return t
    x1 = r[0::4]; y1 = r[1::4]; x2 = r[2::4]; y2 = r[3::4]
    parts = []; prev_space = True
    for i, c in enumerate(t):
        space = c.isspace()
        if i and not space and not prev_space:
            h = max(y2[i - 1] - y1[i - 1], 1.0)
            if x1[i] - x2[i - 1] > 0.3 * h or x1[i] < x1[i - 1] - 0.5 * h or abs(y1[i] - y1[i - 1]) > 0.5 * h:
                parts.append(' ')
        parts.append(c); prev_space = space
    return ''.join(parts)

def text(data):
    err = c_void_p()
    doc = pg.poppler_document_new_from_data(data, len(data), None, byref(err))
    if not doc:
        msg = 'the PDF cannot be read'
        if err.value:
            m = ctypes.cast(err.value + 8, POINTER(c_char_p))[0]
            if m: msg = m.decode('utf-8', 'replace')
            gl.g_error_free(err)
        raise ValueError(msg)
    try:
        pages = []
        for i in range(min(pg.poppler_document_get_n_pages(doc), MAX_PAGES)):
            p = pg.poppler_document_get_page(doc, i)
            if not p:
                continue
            try:
                pages.append(page_text(p))
            finally:
                go.g_object_unref(p)
        return '\n\f'.join(pages)
    finally:
        go.g_object_unref(doc)

def answer(kind, payload):
    out.write(kind + struct.pack('>I', len(payload)) + payload); out.flush()

out.write(b'R'); out.flush()
while True:
    head = inp.read(4)
    if len(head) < 4:
        break
    data = inp.read(struct.unpack('>I', head)[0])
    try:
        answer(b't', text(data).encode('utf-8')[:MAX_BYTES])
    except Exception as e:
        answer(b'e', str(e).encode('utf-8', 'replace'))
`;
