import { createHash } from 'node:crypto';

/*
 * A Merkle tree as RFC 6962 (§2.1) defines it, with SHA-256: a leaf hashes 0x00 and its data, an inner node 0x01 and
 * its two children; a tree of n leaves splits at the largest power of two below n. An inclusion proof (audit path)
 * lets anyone with one leaf, its index, the tree size and the root check that the leaf is in the tree.
 */

export function leafHash(data: string): Buffer {
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(data, 'utf8')
    .digest();
}

function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(left)
    .update(right)
    .digest();
}

/** The largest power of two strictly below n (n >= 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function subtreeRoot(leaves: readonly Buffer[], from: number, to: number): Buffer {
  const n = to - from;
  if (n === 1) return leaves[from]!;
  const k = split(n);
  return nodeHash(subtreeRoot(leaves, from, from + k), subtreeRoot(leaves, from + k, to));
}

/** The root (hex) over leaf hashes in order; the hash of nothing for an empty tree. */
export function merkleRoot(leaves: readonly Buffer[]): string {
  if (leaves.length === 0) return createHash('sha256').digest('hex');
  return subtreeRoot(leaves, 0, leaves.length).toString('hex');
}

/** The audit path (hex hashes, leaf to root) of leaf `index` in a tree of `leaves`. */
export function inclusionProof(leaves: readonly Buffer[], index: number): string[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new RangeError(`leaf ${index} is not in a tree of ${leaves.length}`);
  }
  const path: Buffer[] = [];
  const walk = (m: number, from: number, to: number): void => {
    const n = to - from;
    if (n === 1) return;
    const k = split(n);
    if (m < k) {
      walk(m, from, from + k);
      path.push(subtreeRoot(leaves, from + k, to));
    } else {
      walk(m - k, from + k, to);
      path.push(subtreeRoot(leaves, from, from + k));
    }
  };
  walk(index, 0, leaves.length);
  return path.map((p) => p.toString('hex'));
}

/** The root that an audit path leads to from a leaf (RFC 9162 §2.1.3.2), or null when the path cannot fit the tree. */
export function rootFromProof(leaf: Buffer, index: number, size: number, path: readonly string[]): string | null {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const hex of path) {
    if (!/^[0-9a-f]{64}$/.test(hex)) return null;
    const p = Buffer.from(hex, 'hex');
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r.toString('hex') : null;
}
