// expect: none
import React from "react";

export function CodexPanel({ runs }: { runs: string[] }) {
  return (
    <ul title="codex exec runs">
      {runs.map((r) => (
        <li key={r}>{`codex exec --yolo ${r}`}</li>
      ))}
    </ul>
  );
}
