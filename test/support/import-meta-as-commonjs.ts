/**
 * A ts-jest AST transformer. The package is ES modules ("type": "module"), but Jest loads the files it
 * tests as CommonJS (docs/decisions.md: its ES module loader needs `--experimental-vm-modules`), so the
 * `import.meta` properties our sources use are rewritten to what a CommonJS module has. The build does
 * the same for the bundles (scripts/build.mjs, `define`), so both read one source the same way.
 */
import { createHash } from 'node:crypto';
import * as typescript from 'typescript';
import type * as TypeScript from 'typescript';

export const name = 'import-meta-as-commonjs';
export const version = '1';

interface TsCompiler {
  configSet: { compilerModule: typeof TypeScript };
}

export function factory({ configSet }: TsCompiler): TypeScript.TransformerFactory<TypeScript.SourceFile> {
  const ts = configSet.compilerModule;
  return (context) => (sourceFile) => {
    const { factory: f } = context;
    const replacement = (property: string): TypeScript.Expression | undefined => {
      switch (property) {
        case 'dirname':
          return f.createIdentifier('__dirname');
        case 'filename':
          return f.createIdentifier('__filename');
        case 'main':
          return f.createStrictEquality(
            f.createPropertyAccessExpression(f.createIdentifier('require'), 'main'),
            f.createIdentifier('module'),
          );
        case 'url':
          return f.createPropertyAccessExpression(
            f.createCallExpression(
              f.createPropertyAccessExpression(
                f.createCallExpression(f.createIdentifier('require'), undefined, [
                  f.createStringLiteral('node:url'),
                ]),
                'pathToFileURL',
              ),
              undefined,
              [f.createIdentifier('__filename')],
            ),
            'href',
          );
        default:
          return undefined;
      }
    };
    const visit = (node: TypeScript.Node): TypeScript.Node => {
      if (
        ts.isPropertyAccessExpression(node) &&
        ts.isMetaProperty(node.expression) &&
        node.expression.keywordToken === ts.SyntaxKind.ImportKeyword
      ) {
        const replaced = replacement(node.name.text);
        if (replaced === undefined)
          throw new Error(`import.meta.${node.name.text} has no CommonJS equivalent here`);
        return replaced;
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitNode(sourceFile, visit) as TypeScript.SourceFile;
  };
}

/**
 * A Jest transformer for our own `.mjs` modules that `.ts` code imports (security/sarif-reader.mjs):
 * ts-jest keeps a `.mjs` file's ES module syntax, which Jest's CommonJS loader cannot run, so these go
 * through TypeScript's transpiler as CommonJS, with the same import.meta rewrite.
 */
export function process(sourceText: string, sourcePath: string): { code: string; map: string | undefined } {
  const { outputText, sourceMapText } = typescript.transpileModule(sourceText, {
    compilerOptions: {
      module: typescript.ModuleKind.CommonJS,
      target: typescript.ScriptTarget.ES2023,
      sourceMap: true,
    },
    // TypeScript keeps ES module syntax in a file named .mjs, whatever `module` says.
    fileName: sourcePath.replace(/\.mjs$/, '.js'),
    transformers: { before: [factory({ configSet: { compilerModule: typescript } })] },
  });
  return { code: outputText, map: sourceMapText };
}

// Jest's own key (used when a transformer has none) holds its configuration and whether the file is to be
// instrumented for coverage; ours must hold them too, or a file first cached without coverage is later
// loaded uninstrumented and counted as never run.
export const getCacheKey = (
  sourceText: string,
  sourcePath: string,
  options: { configString: string; instrument: boolean },
): string =>
  createHash('sha256')
    .update(`${name}@${version}\0${typescript.version}\0${sourcePath}\0${sourceText}`)
    .update(`\0${options.configString}\0${options.instrument ? 'instrument' : ''}`)
    .digest('hex');
