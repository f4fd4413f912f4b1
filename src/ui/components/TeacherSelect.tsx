export interface TeacherOption {
  runId: string;
  label: string;
}

/** The distillation teacher: off, or a finished run of this session. */
export function TeacherSelect({
  id,
  value,
  teachers,
  onChange,
}: {
  id: string;
  value: string;
  teachers: TeacherOption[];
  onChange: (runId: string) => void;
}) {
  const missing = value !== '' && !teachers.some((t) => t.runId === value);
  return (
    <select
      id={id}
      value={value}
      aria-describedby={`${id}-help`}
      onChange={(e) => onChange(e.target.value)}
    >
      <option value="">Off</option>
      {teachers.map((t) => (
        <option key={t.runId} value={t.runId}>
          {t.label}
        </option>
      ))}
      {missing && <option value={value}>{value} (not in this session)</option>}
    </select>
  );
}
