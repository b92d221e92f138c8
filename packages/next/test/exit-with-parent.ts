/**
 * Preloaded (`node --import`) into the Next.js processes the tests start.
 * A test process killed by a signal runs no `after` hook and no exit handler,
 * and the server it started would keep its port and memory forever; this
 * makes such an orphan notice (its parent changes when it is re-parented)
 * and exit within half a second.
 */
const parent = process.ppid;

setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 500).unref();
