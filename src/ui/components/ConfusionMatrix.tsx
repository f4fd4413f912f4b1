import { topConfusions } from '../../experiments/predictions';

/** Above this many classes the full matrix is unreadable: list the top confusions instead. */
const MATRIX_MAX_CLASSES = 20;
/** Confusions listed when the matrix is too large. */
const TOP_CONFUSIONS = 10;

/** Rows: true class, columns: predicted; a cell is darker the larger its share of its row. */
export function ConfusionMatrix({
  matrix,
  nameOf,
}: {
  matrix: number[][];
  nameOf: (k: number) => string;
}) {
  if (matrix.length > MATRIX_MAX_CLASSES) {
    return (
      <ol data-testid="confusion-matrix">
        {topConfusions(matrix, TOP_CONFUSIONS).map((c) => (
          <li key={`${c.label}-${c.predicted}`}>
            {nameOf(c.label)} → {nameOf(c.predicted)}: {c.images} images
          </li>
        ))}
      </ol>
    );
  }
  return (
    <div className="table-scroll">
      <table className="confusion" data-testid="confusion-matrix">
        <caption className="small muted">Rows: true class. Columns: predicted.</caption>
        <thead>
          <tr>
            <th scope="col">true \ predicted</th>
            {matrix.map((_, k) => (
              <th scope="col" key={k} title={nameOf(k)}>
                {k}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, label) => {
            const total = row.reduce((a, b) => a + b, 0) || 1;
            return (
              <tr key={label}>
                <th scope="row">
                  {label} {nameOf(label)}
                </th>
                {row.map((count, predicted) => (
                  <td
                    key={predicted}
                    className={predicted === label ? 'diagonal' : undefined}
                    style={{ opacity: 0.35 + (0.65 * count) / total }}
                  >
                    {count}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
