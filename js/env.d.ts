// esbuild bundles the stylesheet next to the script; anywidget loads it as the widget's _css.
declare module "*.css";
