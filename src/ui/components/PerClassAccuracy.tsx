import { formatPercent } from '../format';

/** Top-1 and image count of each true class (a row of the confusion matrix). */
export function PerClassAccuracy({
  matrix,
  accuracy,
  nameOf,
}: {
  matrix: number[][];
  /** Null for a class without validation images. */
  accuracy: (number | null)[];
  nameOf: (k: number) => string;
}) {
  return (
    <table className="layer-table" data-testid="per-class-accuracy">
      <thead>
        <tr>
          <th scope="col">Class</th>
          <th scope="col">Top-1</th>
          <th scope="col">Images</th>
        </tr>
      </thead>
      <tbody>
        {accuracy.map((acc, k) => (
          <tr key={k}>
            <td>{nameOf(k)}</td>
            <td>{acc === null ? '—' : formatPercent(acc)}</td>
            <td>{matrix[k]!.reduce((a, b) => a + b, 0)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
