// Known defects, each put back into the rehearsal's copy by `npm run rehearse -- --plant NAME`, to show
// that the rehearsal fails on it (docs/rehearsal.md). Filled in as each defect is fixed.
export const PLANTS = [];
