import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';

/**
 * The Dockerfile's COPY instructions from the build context (not --from another stage), each source with
 * its destination ("./" for the working directory): what the image build sees of the repository.
 */
export function contextCopies(root: string): { source: string; destination: string }[] {
  const dockerfile = DockerfileParser.parse(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
  return dockerfile
    .getCOPYs()
    .filter((c) => !c.getFromFlag())
    .flatMap((c) => {
      const args = c.getArguments().map((a) => a.getValue());
      const destination = args.at(-1) ?? '.';
      return args
        .slice(0, -1)
        .map((source) => ({ source, destination: destination === './' || destination === '.' ? './' : destination }));
    });
}
