// The stand-in bases live with the gate runner (security/gates/standin-bases.mjs), which builds the image
// on them too (`npm run gates -- --standin-bases`); the container test, the scanner test and the rehearsal
// import them from here.
export * from '../../security/gates/standin-bases.mjs';
