#include "store/WalVfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <vector>

namespace backfill::store {
namespace {

constexpr const char* kName = "backfill-wal";
// A group commit of 100 scans writes about 1 MB of frames; larger runs go out in pieces.
constexpr size_t kMaxPending = 4u << 20;
// The unix VFS masks a write's length with 0x1ffff (it never writes more than a page or a
// frame at once), so a flush goes out in pieces below 128 KiB.
constexpr size_t kMaxWrite = 120u << 10;

sqlite3_vfs* g_real = nullptr; // the wrapped default VFS

// Pending holds the WAL bytes written since the last flush: one contiguous run at `offset`.
struct Pending {
    std::vector<unsigned char> bytes;
    sqlite3_int64 offset = 0;
    int error = SQLITE_OK; // a flush that failed where it could not be reported (xShmBarrier)
};

// File is what SQLite allocates for us: our header, then the real VFS's file object.
// A database file and its connection's WAL point at each other: SQLite sends the WAL's
// barrier and the release of the WAL write lock to the database file's handle (wal.c calls
// sqlite3OsShmBarrier and sqlite3OsShmLock on pDbFd), and those are exactly the moments the
// WAL's pending bytes must be in the file.
struct File {
    sqlite3_file base;
    sqlite3_file* real;
    Pending* pending; // only for WAL files; nullptr = every call passes straight through
    File* wal;        // database file: its connection's open WAL, if any
    File* database;   // WAL file: the database file it belongs to
};

constexpr size_t kRealOffset = (sizeof(File) + 7) & ~size_t{7};

File* self(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
const sqlite3_io_methods* io(const File* f) { return f->real->pMethods; }

int flush(File* f)
{
    if (!f->pending) return SQLITE_OK;
    Pending& p = *f->pending;
    if (p.error != SQLITE_OK) {
        const int rc = p.error;
        p.error = SQLITE_OK;
        p.bytes.clear();
        return rc;
    }
    int rc = SQLITE_OK;
    for (size_t done = 0; done < p.bytes.size() && rc == SQLITE_OK; done += kMaxWrite) {
        const size_t n = std::min(kMaxWrite, p.bytes.size() - done);
        rc = io(f)->xWrite(f->real, p.bytes.data() + done, static_cast<int>(n), p.offset + static_cast<sqlite3_int64>(done));
    }
    p.bytes.clear();
    return rc;
}

int fileClose(sqlite3_file* file)
{
    File* f = self(file);
    const int flushed = flush(f);
    if (f->database) f->database->wal = nullptr;
    if (f->wal) f->wal->database = nullptr;
    const int closed = io(f)->xClose(f->real);
    delete f->pending;
    f->pending = nullptr;
    return flushed != SQLITE_OK ? flushed : closed;
}

int fileRead(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset)
{
    File* f = self(file);
    if (const int rc = flush(f); rc != SQLITE_OK) return rc;
    return io(f)->xRead(f->real, out, amount, offset);
}

int fileWrite(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset)
{
    File* f = self(file);
    if (!f->pending) return io(f)->xWrite(f->real, data, amount, offset);
    Pending& p = *f->pending;
    const auto* bytes = static_cast<const unsigned char*>(data);
    const auto n = static_cast<size_t>(amount);
    if (p.error == SQLITE_OK && !p.bytes.empty() && offset == p.offset + static_cast<sqlite3_int64>(p.bytes.size()) &&
        p.bytes.size() + n <= kMaxPending) {
        p.bytes.insert(p.bytes.end(), bytes, bytes + n);
        return SQLITE_OK;
    }
    if (const int rc = flush(f); rc != SQLITE_OK) return rc;
    if (n > kMaxWrite) return io(f)->xWrite(f->real, data, amount, offset); // not a frame: as it came
    p.offset = offset;
    p.bytes.assign(bytes, bytes + n);
    return SQLITE_OK;
}

int fileTruncate(sqlite3_file* file, sqlite3_int64 size)
{
    File* f = self(file);
    if (const int rc = flush(f); rc != SQLITE_OK) return rc;
    return io(f)->xTruncate(f->real, size);
}

int fileSync(sqlite3_file* file, int flags)
{
    File* f = self(file);
    if (const int rc = flush(f); rc != SQLITE_OK) return rc;
    return io(f)->xSync(f->real, flags);
}

int fileSize(sqlite3_file* file, sqlite3_int64* size)
{
    File* f = self(file);
    if (const int rc = flush(f); rc != SQLITE_OK) return rc;
    return io(f)->xFileSize(f->real, size);
}

int fileLock(sqlite3_file* file, int level) { return io(self(file))->xLock(self(file)->real, level); }
int fileUnlock(sqlite3_file* file, int level) { return io(self(file))->xUnlock(self(file)->real, level); }
int fileCheckReservedLock(sqlite3_file* file, int* out)
{
    return io(self(file))->xCheckReservedLock(self(file)->real, out);
}
int fileControl(sqlite3_file* file, int op, void* arg) { return io(self(file))->xFileControl(self(file)->real, op, arg); }
int fileSectorSize(sqlite3_file* file) { return io(self(file))->xSectorSize(self(file)->real); }
int fileDeviceCharacteristics(sqlite3_file* file) { return io(self(file))->xDeviceCharacteristics(self(file)->real); }

int fileShmMap(sqlite3_file* file, int page, int pageSize, int extend, void volatile** out)
{
    return io(self(file))->xShmMap(self(file)->real, page, pageSize, extend, out);
}
// kWalWriteLock is the WAL-index lock slot a writer holds (wal.c WAL_WRITE_LOCK).
constexpr int kWalWriteLock = 0;

// flushPaired writes the pending bytes of the database file's WAL. A failure that cannot be
// returned where it happened is kept and returned by the WAL's next call that flushes.
void flushPaired(File* database)
{
    File* wal = database->wal;
    if (!wal || !wal->pending) return;
    if (const int rc = flush(wal); rc != SQLITE_OK) wal->pending->error = rc;
}

int fileShmLock(sqlite3_file* file, int offset, int n, int flags)
{
    File* f = self(file);
    // Releasing the write lock lets another connection (in this process or another) append
    // at the same offsets: what this connection wrote must be in the file first, or a later
    // flush would overwrite their frames. That covers a transaction that spilled frames and
    // then rolled back, and commits made without an fsync (synchronous=NORMAL).
    if ((flags & SQLITE_SHM_UNLOCK) && offset <= kWalWriteLock && kWalWriteLock < offset + n) flushPaired(f);
    return io(f)->xShmLock(f->real, offset, n, flags);
}
void fileShmBarrier(sqlite3_file* file)
{
    // SQLite calls this on the database file before publishing a WAL-index header that names
    // new frames: they must be in the WAL file first.
    File* f = self(file);
    flushPaired(f);
    io(f)->xShmBarrier(f->real);
}
int fileShmUnmap(sqlite3_file* file, int deleteFlag) { return io(self(file))->xShmUnmap(self(file)->real, deleteFlag); }
int fileFetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out)
{
    File* f = self(file);
    if (const int rc = flush(f); rc != SQLITE_OK) return rc;
    return io(f)->xFetch(f->real, offset, amount, out);
}
int fileUnfetch(sqlite3_file* file, sqlite3_int64 offset, void* p)
{
    return io(self(file))->xUnfetch(self(file)->real, offset, p);
}

// Version 3 methods for files whose real methods are version 3 (the unix VFS's); a file
// with older real methods is not wrapped at all (see vfsOpen).
const sqlite3_io_methods kMethods = {
    3,           fileClose,  fileRead,     fileWrite,      fileTruncate, fileSync,  fileSize,
    fileLock,    fileUnlock, fileCheckReservedLock, fileControl, fileSectorSize, fileDeviceCharacteristics,
    fileShmMap,  fileShmLock, fileShmBarrier, fileShmUnmap, fileFetch,   fileUnfetch,
};

int vfsOpen(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* outFlags)
{
    File* f = self(file);
    f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kRealOffset);
    f->pending = nullptr;
    f->wal = nullptr;
    f->database = nullptr;
    const int rc = g_real->xOpen(g_real, name, f->real, flags, outFlags);
    if (!f->real->pMethods) {
        file->pMethods = nullptr;
        return rc;
    }
    if (f->real->pMethods->iVersion < 3) {
        // Not expected from the unix VFS; without the version 3 methods we cannot forward
        // faithfully, so refuse rather than guess.
        f->real->pMethods->xClose(f->real);
        file->pMethods = nullptr;
        return SQLITE_CANTOPEN;
    }
    if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL)) {
        // The WAL's name is the one SQLite made from its database's (sqlite3_database_file_object
        // gives that database's file object, which this VFS opened). Without the pair there is
        // no safe moment to flush at, so such a WAL is not buffered.
        sqlite3_file* database = name ? sqlite3_database_file_object(name) : nullptr;
        if (database && database->pMethods == &kMethods) {
            f->database = self(database);
            f->database->wal = f;
            f->pending = new Pending;
        }
    }
    file->pMethods = &kMethods;
    return rc;
}

int vfsDelete(sqlite3_vfs*, const char* name, int syncDir) { return g_real->xDelete(g_real, name, syncDir); }
int vfsAccess(sqlite3_vfs*, const char* name, int flags, int* out) { return g_real->xAccess(g_real, name, flags, out); }
int vfsFullPathname(sqlite3_vfs*, const char* name, int n, char* out)
{
    return g_real->xFullPathname(g_real, name, n, out);
}
void* vfsDlOpen(sqlite3_vfs*, const char* name) { return g_real->xDlOpen(g_real, name); }
void vfsDlError(sqlite3_vfs*, int n, char* out) { g_real->xDlError(g_real, n, out); }
void (*vfsDlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) { return g_real->xDlSym(g_real, handle, symbol); }
void vfsDlClose(sqlite3_vfs*, void* handle) { g_real->xDlClose(g_real, handle); }
int vfsRandomness(sqlite3_vfs*, int n, char* out) { return g_real->xRandomness(g_real, n, out); }
int vfsSleep(sqlite3_vfs*, int micros) { return g_real->xSleep(g_real, micros); }
int vfsCurrentTime(sqlite3_vfs*, double* out) { return g_real->xCurrentTime(g_real, out); }
int vfsGetLastError(sqlite3_vfs*, int n, char* out) { return g_real->xGetLastError(g_real, n, out); }
int vfsCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) { return g_real->xCurrentTimeInt64(g_real, out); }

sqlite3_vfs g_vfs;

} // namespace

const char* walCoalescingVfs()
{
    static std::once_flag once;
    static bool ok = false;
    std::call_once(once, [] {
        g_real = sqlite3_vfs_find(nullptr);
        if (!g_real || g_real->iVersion < 2) return;
        std::memset(&g_vfs, 0, sizeof g_vfs);
        g_vfs.iVersion = 2;
        g_vfs.szOsFile = static_cast<int>(kRealOffset) + g_real->szOsFile;
        g_vfs.mxPathname = g_real->mxPathname;
        g_vfs.zName = kName;
        g_vfs.xOpen = vfsOpen;
        g_vfs.xDelete = vfsDelete;
        g_vfs.xAccess = vfsAccess;
        g_vfs.xFullPathname = vfsFullPathname;
        g_vfs.xDlOpen = vfsDlOpen;
        g_vfs.xDlError = vfsDlError;
        g_vfs.xDlSym = vfsDlSym;
        g_vfs.xDlClose = vfsDlClose;
        g_vfs.xRandomness = vfsRandomness;
        g_vfs.xSleep = vfsSleep;
        g_vfs.xCurrentTime = vfsCurrentTime;
        g_vfs.xGetLastError = vfsGetLastError;
        g_vfs.xCurrentTimeInt64 = vfsCurrentTimeInt64;
        ok = sqlite3_vfs_register(&g_vfs, 0) == SQLITE_OK;
    });
    return ok ? kName : nullptr;
}

} // namespace backfill::store
