// libvirt's CPU list syntax: "0-3,6,^2" (ranges, single CPUs, exclusions).

export function parseCpuList(text: string): number[] | undefined {
  const set = new Set<number>();
  const excluded = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^(\^)?(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return undefined;
    const from = Number(m[2]);
    const to = m[3] === undefined ? from : Number(m[3]);
    if (to < from) return undefined;
    for (let c = from; c <= to; c++) (m[1] ? excluded : set).add(c);
  }
  return [...set].filter((c) => !excluded.has(c)).sort((a, b) => a - b);
}

/** The shortest list text: consecutive CPUs as ranges. */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j;
  }
  return parts.join(',');
}
