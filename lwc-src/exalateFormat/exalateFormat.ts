/**
 * Fills the `{0}`, `{1}`... placeholders of a custom label with values, as Salesforce labels are
 * written. A placeholder without a value stays as it is, so a missing value shows instead of vanishing.
 */
export function formatLabel(label: string, ...values: (string | number)[]): string {
    return label.replace(/\{(\d+)\}/g, (placeholder, index: string) => {
        const value = values[Number(index)];
        return value === undefined ? placeholder : String(value);
    });
}
