import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inclusionProof, leafHash, merkleRoot, rootFromProof } from '../../audit/merkle';

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(`leaf ${i}`));

describe('Merkle tree (RFC 6962)', () => {
  it('hashes leaves and nodes with their prefixes and splits at the largest power of two', () => {
    const [a, b, c] = leaves(3) as [Buffer, Buffer, Buffer];
    expect(a).toEqual(sha(Buffer.from([0]), Buffer.from('leaf 0')));
    const ab = sha(Buffer.from([1]), a, b);
    expect(merkleRoot([a, b, c])).toBe(sha(Buffer.from([1]), ab, c).toString('hex'));
    expect(merkleRoot([])).toBe(createHash('sha256').digest('hex'));
    expect(merkleRoot([a])).toBe(a.toString('hex'));
  });

  it('proves every leaf of every tree size up to 33, and nothing else', () => {
    for (let n = 1; n <= 33; n++) {
      const tree = leaves(n);
      const root = merkleRoot(tree);
      for (let i = 0; i < n; i++) {
        const path = inclusionProof(tree, i);
        expect(rootFromProof(tree[i]!, i, n, path), `leaf ${i} of ${n}`).toBe(root);
        // Another leaf, another index or a changed path does not lead to the root.
        expect(rootFromProof(leafHash('stranger'), i, n, path)).not.toBe(root);
        if (n > 1) expect(rootFromProof(tree[i]!, (i + 1) % n, n, path)).not.toBe(root);
        if (path.length > 0) {
          const changed = [...path];
          changed[0] = changed[0]!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
          expect(rootFromProof(tree[i]!, i, n, changed)).not.toBe(root);
          expect(rootFromProof(tree[i]!, i, n, path.slice(1))).not.toBe(root);
        }
      }
    }
  });

  it('refuses indexes outside the tree and paths that are not hashes', () => {
    const tree = leaves(4);
    expect(() => inclusionProof(tree, 4)).toThrow(RangeError);
    expect(rootFromProof(tree[0]!, 4, 4, [])).toBeNull();
    expect(rootFromProof(tree[0]!, 0, 4, ['not a hash', 'x'])).toBeNull();
  });
});
