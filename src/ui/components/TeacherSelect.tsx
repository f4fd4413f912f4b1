export interface TeacherOption {
  runId: string;
  label: string;
}

/**
 * A finished run of this session (or a loaded checkpoint), or none: the distillation teacher, or
 * a transfer's backbone (`offLabel` names the choice of none).
 */
export function TeacherSelect({
  id,
  value,
  teachers,
  onChange,
  offLabel = 'Off',
}: {
  id: string;
  value: string;
  teachers: TeacherOption[];
  onChange: (runId: string) => void;
  offLabel?: string;
}) {
  const missing = value !== '' && !teachers.some((t) => t.runId === value);
  return (
    <select
      id={id}
      value={value}
      aria-describedby={`${id}-help`}
      onChange={(e) => onChange(e.target.value)}
    >
      <option value="">{offLabel}</option>
      {teachers.map((t) => (
        <option key={t.runId} value={t.runId}>
          {t.label}
        </option>
      ))}
      {missing && <option value={value}>{value} (not in this session)</option>}
    </select>
  );
}
