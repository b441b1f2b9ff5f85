# Lab VM disk only (lab/images/vm/build.sh): a bytecode cache for Python code
# imported from zip files, loaded at every interpreter start by
# lab-zipcache.pth.
#
# Ansible runs every task's module from a fresh zip (AnsiballZ), and Python
# never caches bytecode for zip imports, so each task compiles
# ansible.module_utils and the module again. Under TCG that compile is about
# half of a task's time (docs/lab.md, "Measurements"). This keeps the code
# compile() returns for each zip-imported source, keyed by the path inside the
# zip and a hash of the source, and gives later imports the same code with
# the file names of their own zip: modules run exactly the code they would
# run without the cache. Production hosts never get this file.
import hashlib
import marshal
import os
import sys
import zipimport

CACHE_DIR = "/var/cache/lab-zipcache"
_TAG = sys.implementation.cache_tag or "python"
_compile_source = zipimport._compile_source  # pylint: disable=protected-access


def cache_path(inner, source):
    key = hashlib.sha256(inner.encode("utf-8", "surrogateescape") + b"\0" + source).hexdigest()
    return os.path.join(CACHE_DIR, key + "." + _TAG)


def _renamed(code, filename):
    consts = tuple(_renamed(c, filename) if isinstance(c, type(code)) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def store(path, code):
    try:
        os.makedirs(CACHE_DIR, mode=0o700, exist_ok=True)
        tmp = "%s.%d" % (path, os.getpid())
        with open(tmp, "wb") as f:
            marshal.dump(code, f)
        os.replace(tmp, path)
    except OSError:
        pass


def cached_compile(pathname, source):
    # pathname is ARCHIVE.zip/INNER; the archive's directory differs per task
    inner = pathname.split(".zip" + os.sep, 1)[-1]
    path = cache_path(inner, source)
    try:
        with open(path, "rb") as f:
            code = marshal.load(f)
    except (OSError, EOFError, ValueError, TypeError):
        code = _compile_source(pathname, source)
        store(path, code)
        return code
    return code if code.co_filename == pathname else _renamed(code, pathname)


zipimport._compile_source = cached_compile  # pylint: disable=protected-access
