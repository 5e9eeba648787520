// Field paths as k8s.io/apimachinery's field.Path prints them: `spec.instanceIds[2]`,
// `spec.tags[app]`, and `<nil>` for the object root.

export class FieldPath {
  private constructor(private readonly text: string | undefined) {}

  static readonly root = new FieldPath(undefined);

  /** A named child: `spec` then `spec.roleName`. */
  child(name: string): FieldPath {
    return new FieldPath(this.text === undefined ? name : `${this.text}.${name}`);
  }

  /** A list element: `spec.instanceIds[2]`. */
  index(position: number): FieldPath {
    return new FieldPath(`${this.text ?? ''}[${position}]`);
  }

  /** A map entry: `spec.instanceSelector.tags[app]`. */
  key(name: string): FieldPath {
    return new FieldPath(`${this.text ?? ''}[${name}]`);
  }

  isRoot(): boolean {
    return this.text === undefined;
  }

  toString(): string {
    return this.text ?? '<nil>';
  }
}
