/* global React, ReactDOM, GraphiQL -- set by the vendored scripts the explorer page loads first */
// Starts GraphiQL against this gateway. Every file it needs is served by the gateway itself,
// so the explorer works with no internet. Put `Authorization: Bearer <token>` in Headers.
(function () {
  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      shouldPersistHeaders: false,
      defaultQuery:
        '# 阅卷 GraphQL 接口\n# 在 Headers 中填写 {"Authorization": "Bearer <token>"} 以登录身份调用。\nquery Procuratorates {\n  procuratorates(onlineReadingOnly: true) {\n    id\n    name\n    province\n  }\n}\n',
    }),
  );
})();
