using Defender.ErrorMiddleware;
using Defender.ErrorMiddleware.AotApp;
using Microsoft.AspNetCore.Authentication;

// The shape of `dotnet new webapiaot`, with the Defender error contract: what the Native AOT test publishes and runs.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJsonContext.Default));
builder.Services.AddDefenderErrors();
builder.Services.AddValidation();
builder.Services.AddAuthentication(TokenHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, TokenHandler>(TokenHandler.SchemeName, null);
builder.Services.AddAuthorization();

var app = builder.Build();
app.UseDefenderErrors();
app.UseAuthentication();
app.UseAuthorization();

var api = app.MapGroup("/api");
api.MapGet("/machines/{id}", (string id) => id == Machine.Known.Id
    ? Results.Ok(Machine.Known)
    : throw new DefenderException(DefenderError.ResourceNotFound("Machine", id)));
api.MapGet("/machines/{id}/actions", (string id) => DefenderResults.Error(DefenderError.MaximumBatchSizeExceeded(received: 501, allowed: 500)));
api.MapGet("/crash", string () => throw new InvalidOperationException("Connection string Server=db;Password=hunter2 was rejected."));
api.MapPost("/machines/{id}/isolate", (string id, IsolateRequest request) => Results.Ok(new MachineAction(id, "Isolate", request.Comment!)));
api.MapGet("/secure", () => Results.Ok(Machine.Known)).RequireAuthorization();

app.Run();
