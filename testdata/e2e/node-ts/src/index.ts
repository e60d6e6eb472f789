import ms from "ms";

// Adds up durations given as arguments ("1h", "30m", "45s", "2d" ...) and prints the total.
export function total(parts: string[]): number {
  return parts.reduce((sum, p) => {
    const v = ms(p);
    if (typeof v !== "number" || Number.isNaN(v)) {
      throw new Error(`not a duration: ${p}`);
    }
    return sum + v;
  }, 0);
}

const args = process.argv.slice(2);
const parts = args.length > 0 ? args : ["1h", "30m", "45s"];
const t = total(parts);
console.log(`${parts.join(" + ")} = ${ms(t, { long: true })} (${t} ms) on node ${process.versions.node.split(".")[0]}`);
