const numberFormat = new Intl.NumberFormat();
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const bucketFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

export const formatNumber = (n) => numberFormat.format(n);
export const formatTime = (ts) => timeFormat.format(new Date(ts));
export const formatDateTime = (ts) => dateTimeFormat.format(new Date(ts));

export function formatBucket(ts, bucketMinutes) {
  const date = new Date(ts);
  if (bucketMinutes >= 60) return bucketFormat.format(date);
  return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
}

export function percent(part, total) {
  return total === 0 ? "0%" : `${((part / total) * 100).toFixed(1)}%`;
}
