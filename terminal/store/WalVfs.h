#pragma once
// A SQLite VFS that writes each commit's WAL frames with one system call.
//
// SQLite appends a commit to the WAL one frame at a time, two writes per page (the 24-byte
// frame header, then the page), and then syncs. On the handhelds' virtualised or flash
// storage each small write has a fixed cost, so a scan that dirties 6 pages paid for 12
// writes before its fsync. This VFS wraps the platform's default VFS and, for WAL files only,
// gathers writes that continue one another in memory and hands them to the real file as one
// write just before anything that must see them:
//   - xSync (the commit's fsync: a commit is still on disk before it is confirmed),
//   - xShmBarrier (SQLite's barrier before it publishes a new WAL-index header, so no other
//     connection can ever be told about frames that are not in the file yet),
//   - the release of the WAL write lock (after a commit, and after a rollback of a
//     transaction that spilled frames: another writer may append at those offsets next),
//   - any read, truncate, size query, fetch or close of the WAL, and a write elsewhere.
// SQLite sends the barrier and the WAL locks to the *database* file's handle, not the WAL's:
// each WAL is paired with its connection's database file when it is opened
// (sqlite3_database_file_object), and a WAL that cannot be paired is not buffered at all.
// So the VFS keeps every promise SQLite's own unix VFS keeps to other connections and
// processes, whatever the synchronous setting (tests/store/wal_vfs_contract_test.cpp).
// The database file and journals pass straight through. Errors of a deferred write come
// back from the call that flushed it (SQLITE_IOERR_WRITE), so a commit whose frames could not
// be written fails like one whose fsync failed.

namespace backfill::store {

// walCoalescingVfs registers the VFS on first use (thread-safe) and returns its name for
// sqlite3_open_v2. Returns nullptr when SQLite has no default VFS to wrap.
const char* walCoalescingVfs();

} // namespace backfill::store
