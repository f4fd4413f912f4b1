import { useState } from 'react';
import type { ExperimentConfig } from '../../config';
import {
  DEFAULT_RECIPE_OPTIONS,
  gluoncvRecipe,
  RECIPE_MAPPING,
  timmRecipe,
  type Recipe,
} from '../../experiments/recipes';

/** "Run it at scale": the current toggles as timm and GluonCV command lines. */
export function ScaleRecipes({ config }: { config: ExperimentConfig }) {
  const [gpus, setGpus] = useState(DEFAULT_RECIPE_OPTIONS.gpus);
  const [dataDir, setDataDir] = useState(DEFAULT_RECIPE_OPTIONS.dataDir);
  const options = { gpus, dataDir: dataDir.trim() || DEFAULT_RECIPE_OPTIONS.dataDir };
  const recipes = [timmRecipe(config, options), gluoncvRecipe(config, options)];
  return (
    <details className="scale-recipes">
      <summary>
        <h2>Run it at scale</h2>
      </summary>
      <p className="muted small">
        The current settings as command lines for timm’s <code>train.py</code> (PyTorch) and
        GluonCV’s <code>train_imagenet.py</code> (MXNet). The batch size is the global batch.
      </p>
      <div className="toolbar">
        <label>
          GPUs{' '}
          <input
            type="number"
            min={1}
            max={512}
            value={gpus}
            onChange={(e) => {
              const n = Number(e.target.value);
              if (Number.isInteger(n) && n >= 1 && n <= 512) setGpus(n);
            }}
          />
        </label>
        <label>
          ImageNet folder{' '}
          <input value={dataDir} maxLength={200} onChange={(e) => setDataDir(e.target.value)} />
        </label>
      </div>
      {recipes.map((r) => (
        <RecipeBlock key={r.engine} recipe={r} />
      ))}
      <details>
        <summary>Mapping table</summary>
        <table className="small">
          <thead>
            <tr>
              <th scope="col">Playground</th>
              <th scope="col">timm train.py</th>
              <th scope="col">GluonCV train_imagenet.py</th>
            </tr>
          </thead>
          <tbody>
            {RECIPE_MAPPING.map(([a, b, c]) => (
              <tr key={a}>
                <td>{a}</td>
                <td>{b}</td>
                <td>{c}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </details>
  );
}

function RecipeBlock({ recipe }: { recipe: Recipe }) {
  const [copied, setCopied] = useState(false);
  const title = recipe.engine === 'timm' ? 'timm (PyTorch)' : 'GluonCV (MXNet)';
  return (
    <div className="recipe" data-testid={`recipe-${recipe.engine}`}>
      <h3>{title}</h3>
      <pre>
        <code>{recipe.command}</code>
      </pre>
      <button
        type="button"
        onClick={() =>
          void navigator.clipboard.writeText(recipe.command).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        Copy {title} command
      </button>
      <span role="status">{copied ? ' Copied.' : ''}</span>
      {recipe.notes.length > 0 && (
        <ul className="small">
          {recipe.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
