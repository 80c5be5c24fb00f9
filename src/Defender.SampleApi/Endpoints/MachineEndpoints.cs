using System.Globalization;
using System.Security.Claims;
using Defender.ErrorMiddleware;
using Defender.ErrorMiddleware.OData;
using Defender.SampleApi.Auth;
using Defender.SampleApi.Data;
using Defender.SampleApi.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Defender.SampleApi.Endpoints;

/// <summary>
/// Defender's machine routes. Bodies are bound and checked by the library (missing, wrong-case or malformed members never reach
/// a handler); every business failure is a <see cref="DefenderResults"/> error, to which the middleware gives its status,
/// envelope, headers and one log line.
/// </summary>
internal static class MachineEndpoints
{
    /// <summary>The application-registered code for a second live response session on one machine (400).</summary>
    public const string ActiveRequestAlreadyExists = "ActiveRequestAlreadyExists";

    /// <summary>The oldest agent that can run response actions (Defender documents a minimum per action).</summary>
    public static readonly Version MinimumActionAgentVersion = new(10, 8040);

    /// <summary>What any route that reads a JSON body can answer.</summary>
    internal static readonly DefenderErrorCode[] BodyErrors = [DefenderErrorCode.InvalidRequestBody, DefenderErrorCode.MissingRequiredParameter];

    private const int SqliteConstraint = 19;
    private const string Full = "Full";
    private const string Selective = "Selective";
    private static readonly string[] LiveResponseCommandTypes = ["PutFile", "RunScript", "GetFile"];

    public static RouteGroupBuilder MapMachineEndpoints(this RouteGroupBuilder api)
    {
        var machines = api.MapGroup("/machines").WithTags("Machines");

        machines.MapGet("/", ListMachines)
            .WithName("ListMachines").WithSummary("Lists machines; supports $filter, $orderby, $top, $skip, $select and $count.")
            .Produces<ODataCollection<Machine>>(StatusCodes.Status200OK, "application/json")
            .ProducesDefenderError(DefenderErrorCode.ODataError)
            .RequireAuthorization(Permissions.MachineRead);

        machines.MapGet("/{id}", GetMachine)
            .WithName("GetMachine").WithSummary("Gets a machine by its id.")
            .RequireAuthorization(Permissions.MachineRead);

        machines.MapPost("/{id}/isolate", Isolate)
            .WithName("IsolateMachine").WithSummary("Isolates a machine from the network.")
            .ProducesDefenderError(BodyErrors)
            .ProducesDefenderError(DefenderErrorCode.InvalidInput, DefenderErrorCode.OsPlatformNotSupported,
                DefenderErrorCode.ClientVersionNotSupported, DefenderErrorCode.DisallowedOperation)
            .RequireAuthorization(Permissions.MachineIsolate);

        machines.MapPost("/{id}/unisolate", Unisolate)
            .WithName("UnisolateMachine").WithSummary("Releases a machine from isolation.")
            .ProducesDefenderError(BodyErrors)
            .ProducesDefenderError(DefenderErrorCode.ClientVersionNotSupported, DefenderErrorCode.DisallowedOperation)
            .RequireAuthorization(Permissions.MachineIsolate);

        machines.MapPost("/{id}/runliveresponse", RunLiveResponse)
            .WithName("RunLiveResponse").WithSummary("Runs live response commands on a machine.")
            .ProducesDefenderError(BodyErrors)
            .ProducesDefenderError(DefenderErrorCode.InvalidInput, DefenderErrorCode.ClientVersionNotSupported, DefenderErrorCode.DisabledFeature)
            .ProducesDefenderError(ActiveRequestAlreadyExists)
            .RequireAuthorization(Permissions.MachineLiveResponse);

        api.MapGet("/machineactions/{id}", GetMachineAction)
            .WithTags("Machines").WithName("GetMachineAction").WithSummary("Gets a machine action by its id.")
            .RequireAuthorization(Permissions.MachineRead);

        return api;
    }

    // Microsoft.AspNetCore.OData parses and applies the query in the database; a bad $filter, $orderby, $top… is 400 ODataError
    // with the library's reason, and a result longer than a page ends with @odata.nextLink.
    internal static DefenderODataResult<Machine> ListMachines(ODataQueryOptions<Machine> query, SampleDbContext db) =>
        query.ToDefenderResult(db.Machines.AsNoTracking());

    internal static async Task<Results<Ok<Machine>, DefenderErrorResult>> GetMachine(string id, SampleDbContext db, CancellationToken cancellationToken)
    {
        var machine = await db.Machines.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellationToken);
        return machine is null ? MachineNotFound(id) : TypedResults.Ok(machine);
    }

    internal static async Task<Results<Created<MachineAction>, DefenderErrorResult>> Isolate(
        string id, IsolateRequest body, SampleDbContext db, ClaimsPrincipal user, TimeProvider time, CancellationToken cancellationToken)
    {
        // The library has already answered a missing, wrong-case or malformed body; an explicit null is still ours to refuse.
        if (body.Comment is null)
        {
            return DefenderResults.Error(DefenderError.MissingRequiredParameter("Comment"));
        }

        var isolationType = body.IsolationType ?? Full;
        if (isolationType is not (Full or Selective))
        {
            return DefenderResults.Error(DefenderError.InvalidInput(isolationType));
        }

        var machine = await db.Machines.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (machine is null)
        {
            return MachineNotFound(id);
        }

        // Defender offers selective isolation on Windows only.
        if (isolationType == Selective && !machine.OsPlatform.StartsWith("Windows", StringComparison.Ordinal))
        {
            return DefenderResults.Error(DefenderError.OsPlatformNotSupported(machine.OsPlatform));
        }

        if (TooOld(machine, MachineActionTypes.Isolate) is { } tooOld)
        {
            return tooOld;
        }

        // One conditional UPDATE, so two concurrent requests cannot both isolate the machine.
        var changed = await db.Machines
            .Where(m => m.Id == id && m.IsolationState == IsolationStates.NotIsolated)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.IsolationState, IsolationStates.Isolated), cancellationToken);
        if (changed == 0)
        {
            return DefenderResults.Error(DefenderError.DisallowedOperation($"Machine {id} is already isolated."));
        }

        return await RecordAsync(db, machine, MachineActionTypes.Isolate, body.Comment, user, time, MachineActionStatuses.Succeeded);
    }

    internal static async Task<Results<Created<MachineAction>, DefenderErrorResult>> Unisolate(
        string id, UnisolateRequest body, SampleDbContext db, ClaimsPrincipal user, TimeProvider time, CancellationToken cancellationToken)
    {
        if (body.Comment is null)
        {
            return DefenderResults.Error(DefenderError.MissingRequiredParameter("Comment"));
        }

        var machine = await db.Machines.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (machine is null)
        {
            return MachineNotFound(id);
        }

        if (TooOld(machine, MachineActionTypes.Unisolate) is { } tooOld)
        {
            return tooOld;
        }

        var changed = await db.Machines
            .Where(m => m.Id == id && m.IsolationState == IsolationStates.Isolated)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.IsolationState, IsolationStates.NotIsolated), cancellationToken);
        if (changed == 0)
        {
            return DefenderResults.Error(DefenderError.DisallowedOperation($"Machine {id} is not isolated."));
        }

        return await RecordAsync(db, machine, MachineActionTypes.Unisolate, body.Comment, user, time, MachineActionStatuses.Succeeded);
    }

    internal static async Task<Results<Created<MachineAction>, DefenderErrorResult>> RunLiveResponse(
        string id, LiveResponseRequest body, SampleDbContext db, ClaimsPrincipal user, TimeProvider time,
        IOptionsSnapshot<SampleApiOptions> options, CancellationToken cancellationToken)
    {
        // A tenant setting, not a permission: the token may hold Machine.LiveResponse and still be refused.
        if (!options.Value.TenantHasFeature(user.FindFirstValue(BearerTokenHandler.TenantClaim), TenantFeatures.LiveResponse))
        {
            return DefenderResults.Error(DefenderError.DisabledFeature("Tenant feature LiveResponse is not enabled."));
        }

        if (body.Commands is null)
        {
            return DefenderResults.Error(DefenderError.MissingRequiredParameter("Commands"));
        }

        if (body.Comment is null)
        {
            return DefenderResults.Error(DefenderError.MissingRequiredParameter("Comment"));
        }

        if (body.Commands.Count == 0)
        {
            return DefenderResults.Error(DefenderError.InvalidInput("Commands"));
        }

        for (var i = 0; i < body.Commands.Count; i++)
        {
            var command = body.Commands[i];
            if (command?.Type is null)
            {
                return DefenderResults.Error(DefenderError.MissingRequiredParameter(
                    string.Create(CultureInfo.InvariantCulture, $"Commands[{i}].type")));
            }

            if (!LiveResponseCommandTypes.Contains(command.Type, StringComparer.Ordinal))
            {
                return DefenderResults.Error(DefenderError.InvalidInput(command.Type));
            }
        }

        var machine = await db.Machines.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (machine is null)
        {
            return MachineNotFound(id);
        }

        if (TooOld(machine, MachineActionTypes.LiveResponse) is { } tooOld)
        {
            return tooOld;
        }

        if (await db.MachineActions.AnyAsync(a => a.MachineId == id && a.Type == MachineActionTypes.LiveResponse
            && a.Status == MachineActionStatuses.Pending, cancellationToken))
        {
            return ActiveSession(id);
        }

        try
        {
            // Two requests racing past the check above: a filtered unique index lets only one pending session in.
            return await RecordAsync(db, machine, MachineActionTypes.LiveResponse, body.Comment, user, time, MachineActionStatuses.Pending);
        }
        catch (DbUpdateException exception) when (exception.InnerException is SqliteException { SqliteErrorCode: SqliteConstraint })
        {
            return ActiveSession(id);
        }
    }

    internal static async Task<Results<Ok<MachineAction>, DefenderErrorResult>> GetMachineAction(
        string id, SampleDbContext db, CancellationToken cancellationToken)
    {
        var action = await db.MachineActions.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        return action is null ? DefenderResults.Error(DefenderError.ResourceNotFound("MachineAction", id)) : TypedResults.Ok(action);
    }

    private static DefenderErrorResult ActiveSession(string id) =>
        DefenderResults.Error(new DefenderError(ActiveRequestAlreadyExists, $"A live response session is already active on machine {id}."));

    private static DefenderErrorResult MachineNotFound(string id) => DefenderResults.Error(DefenderError.ResourceNotFound("Machine", id));

    private static DefenderErrorResult? TooOld(Machine machine, string action)
    {
        // Agent versions are "major.minor.build.revision" (Windows) or "major.yymmx.build" (Linux, macOS); major.minor decides.
        var parts = machine.AgentVersion.Split('.');
        var supported = parts.Length >= 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            && new Version(major, minor) >= MinimumActionAgentVersion;
        return supported
            ? null
            : DefenderResults.Error(DefenderError.ClientVersionNotSupported(action, MinimumActionAgentVersion.ToString()));
    }

    private static async Task<Created<MachineAction>> RecordAsync(
        SampleDbContext db, Machine machine, string type, string comment, ClaimsPrincipal user, TimeProvider time, string status)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var action = new MachineAction
        {
            Id = Guid.NewGuid().ToString(),
            Type = type,
            Requestor = user.Identity?.Name ?? "unknown",
            RequestorComment = comment,
            Status = status,
            MachineId = machine.Id,
            ComputerDnsName = machine.ComputerDnsName,
            CreationDateTimeUtc = now,
            LastUpdateDateTimeUtc = now,
        };
        db.MachineActions.Add(action);
        await db.SaveChangesAsync();
        return TypedResults.Created($"/api/machineactions/{action.Id}", action);
    }
}
