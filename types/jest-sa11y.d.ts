// Brings the toBeAccessible() matcher type into the component tests.
import '@sa11y/jest';
