# Defines each document (raw bytes, from a JSON object of name -> latin1 text) on libvirt's
# test driver through libvirt's C API and prints, as JSON, the error libvirt reports for it
# (code, domain, message) or null when it was defined. Used to compare tsvirt's XML parser
# with libvirt's.
import ctypes, json, sys

lib = ctypes.CDLL('libvirt.so.0')
class VirError(ctypes.Structure):
    _fields_ = [('code', ctypes.c_int), ('domain', ctypes.c_int), ('message', ctypes.c_char_p)]
lib.virConnectOpen.restype = ctypes.c_void_p
lib.virDomainDefineXML.restype = ctypes.c_void_p
lib.virDomainDefineXML.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
lib.virDomainUndefine.argtypes = [ctypes.c_void_p]
lib.virDomainFree.argtypes = [ctypes.c_void_p]
lib.virGetLastError.restype = ctypes.POINTER(VirError)
quiet = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)(lambda *a: None)  # kept alive
lib.virSetErrorFunc.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
lib.virSetErrorFunc(None, ctypes.cast(quiet, ctypes.c_void_p))
lib.virConnectOpen.argtypes = [ctypes.c_char_p]
conn = lib.virConnectOpen(b'test:///default')
out = {}
for name, text in json.load(sys.stdin).items():
    lib.virResetLastError()
    dom = lib.virDomainDefineXML(conn, text.encode('latin1'))
    if dom:
        lib.virDomainUndefine(dom)
        lib.virDomainFree(dom)
        out[name] = None
    else:
        e = lib.virGetLastError().contents
        out[name] = {'code': e.code, 'domain': e.domain, 'message': e.message.decode('utf-8', 'replace')}
print(json.dumps(out))
