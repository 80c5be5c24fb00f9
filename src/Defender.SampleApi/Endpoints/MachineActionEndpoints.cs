using System.Globalization;
using System.Security.Claims;
using Defender.ErrorMiddleware;
using Defender.ErrorMiddleware.OData;
using Defender.SampleApi.Auth;
using Defender.SampleApi.Data;
using Defender.SampleApi.Http;
using Defender.SampleApi.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Defender.SampleApi.Endpoints;

/// <summary>
/// Defender's response actions on a machine and the machine-action routes. Bodies are bound and checked by the library (missing,
/// wrong-case or malformed members never reach a handler); every business failure is a <see cref="DefenderResults"/> error, to
/// which the middleware gives its status, envelope, headers and one log line. Checks run in the order Defender documents them:
/// the body, the machine, whether the device can run the action (platform, sensor version), then whether one is already running.
/// </summary>
internal static class MachineActionEndpoints
{
    /// <summary>The oldest sensor that can run response actions (Defender documents a minimum per action).</summary>
    public static readonly Version MinimumActionAgentVersion = new(10, 8040);

    private static readonly string[] ScanTypes = ["Quick", "Full"];

    public static RouteGroupBuilder MapMachineActionEndpoints(this RouteGroupBuilder api)
    {
        var machines = api.MapGroup("/machines/{id}").WithTags("Machine actions");
        DefenderErrorCode[] deviceErrors =
        [
            DefenderErrorCode.InvalidInput, DefenderErrorCode.OsPlatformNotSupported, DefenderErrorCode.ClientVersionNotSupported,
            DefenderErrorCode.DisallowedOperation, DefenderErrorCode.ResourceNotFound,
        ];

        machines.MapPost("/isolate", Isolate)
            .WithName("IsolateMachine").WithSummary("Isolates a machine from the network (Full, Selective, or UnManagedDevice for a device without the sensor).")
            .Action(deviceErrors).RequireAnyPermission(Permissions.MachineIsolate);

        machines.MapPost("/unisolate", Unisolate)
            .WithName("UnisolateMachine").WithSummary("Releases a machine from isolation.")
            .Action(deviceErrors).RequireAnyPermission(Permissions.MachineIsolate);

        machines.MapPost("/runAntiVirusScan", RunAntivirusScan)
            .WithName("RunAntiVirusScan").WithSummary("Starts a Microsoft Defender Antivirus scan (Quick or Full).")
            .Action(deviceErrors).RequireAnyPermission(Permissions.MachineScan);

        machines.MapPost("/restrictCodeExecution", RestrictCodeExecution)
            .WithName("RestrictCodeExecution").WithSummary("Restricts execution to Microsoft-signed applications.")
            .Action(deviceErrors).RequireAnyPermission(Permissions.MachineRestrictExecution);

        machines.MapPost("/unrestrictCodeExecution", UnrestrictCodeExecution)
            .WithName("UnrestrictCodeExecution").WithSummary("Removes the application execution restriction.")
            .Action(deviceErrors).RequireAnyPermission(Permissions.MachineRestrictExecution);

        machines.MapPost("/collectInvestigationPackage", CollectInvestigationPackage)
            .WithName("CollectInvestigationPackage").WithSummary("Collects an investigation package from a machine.")
            .Action(deviceErrors).RequireAnyPermission(Permissions.MachineCollectForensics);

        machines.MapPost("/offboard", Offboard)
            .WithName("OffboardMachine").WithSummary("Offboards a machine from Defender for Endpoint.")
            .Action(deviceErrors).RequireAnyPermission(Permissions.MachineOffboard);

        machines.MapPost("/runliveresponse", RunLiveResponse)
            .WithName("RunLiveResponse").WithSummary("Runs live response commands (PutFile, RunScript, GetFile, in that order) on a machine.")
            .Action(deviceErrors)
            .ProducesDefenderError(DefenderErrorCode.DisabledFeature)
            .RequireAnyPermission(Permissions.MachineLiveResponse);

        var actions = api.MapGroup("/machineactions").WithTags("Machine actions");

        actions.MapGet("/", ListMachineActions)
            .WithName("ListMachineActions")
            .WithSummary("Lists machine actions; supports $filter (id, status, machineId, type, requestor, creationDateTimeUtc…), $orderby, $top, $skip, $select and $count.")
            .Produces<ODataCollection<MachineAction>>(StatusCodes.Status200OK, "application/json")
            .RequireAnyPermission(Permissions.ReadMachines);

        actions.MapGet("/{id}", GetMachineAction)
            .WithName("GetMachineAction").WithSummary("Gets a machine action by its id.")
            .RequireAnyPermission(Permissions.ReadMachines);

        actions.MapPost("/{id}/cancel", Cancel)
            .WithName("CancelMachineAction").WithSummary("Cancels a machine action that has not finished.")
            .ProducesDefenderError(MachineEndpoints.BodyErrors)
            .ProducesDefenderError(DefenderErrorCode.InvalidInput, DefenderErrorCode.DisallowedOperation)
            .RequireAnyPermission(Permissions.CancelAction);

        actions.MapGet("/{id}/GetLiveResponseResultDownloadLink(index={index})", LiveResponseResultLink)
            .WithName("GetLiveResponseResultDownloadLink").WithSummary("Gets a link (valid 30 minutes) to the result of one live response command.")
            .ProducesDefenderError(DefenderErrorCode.InvalidInput, DefenderErrorCode.DisallowedOperation, DefenderErrorCode.DisabledFeature)
            .RequireAnyPermission(Permissions.LiveResponseResult);

        // The link itself is a pre-signed address like Defender's storage links: no bearer token, the signature is the permission.
        api.MapGet("/liveresponseresults/{id}/{index}", LiveResponseResults.Download)
            .WithTags("Machine actions").WithName("DownloadLiveResponseResult")
            .WithSummary("Serves a live response command's result through the signed link GetLiveResponseResultDownloadLink gave.")
            .AllowAnonymous();

        return api;
    }

    internal static async Task<Results<ODataCreated<MachineAction>, DefenderErrorResult>> Isolate(
        string id, IsolateRequest body, SampleDbContext db, MachineActionLifecycle lifecycle, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (CheckComment(body.Comment) is { } bad)
        {
            return bad;
        }

        var isolationType = body.IsolationType ?? IsolationTypes.Full;
        if (!IsolationTypes.All.Contains(isolationType, StringComparer.Ordinal))
        {
            return DefenderResults.Error(DefenderError.InvalidInput(isolationType));
        }

        var unmanaged = isolationType == IsolationTypes.UnManagedDevice;
        var (machine, refused) = await FindReadyAsync(db, id, MachineActionTypes.Isolate, unmanaged, isolationType switch
        {
            IsolationTypes.Full => DevicePlatforms.FullIsolation,
            IsolationTypes.Selective => DevicePlatforms.SelectiveIsolation,
            _ => DevicePlatforms.Any,
        }, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        await lifecycle.CompleteDueAsync(cancellationToken);
        var (action, inProgress) = await lifecycle.StartAsync(machine!, MachineActionTypes.Isolate, isolationType, body.Comment, user, null, cancellationToken);
        if (action is null)
        {
            return DefenderResults.Error(inProgress!.Value);
        }

        // One conditional UPDATE: of two racing isolations (one pending, one finished), only one changes the machine.
        if (!await SetIsolationAsync(db, machine!.Id, from: IsolationStates.NotIsolated, to: IsolationStates.Isolated, cancellationToken))
        {
            await lifecycle.WithdrawAsync(action, cancellationToken);
            return DefenderResults.Error(MachineActionLifecycle.InProgress());
        }

        return Created(action);
    }

    internal static async Task<Results<ODataCreated<MachineAction>, DefenderErrorResult>> Unisolate(
        string id, UnisolateRequest body, SampleDbContext db, MachineActionLifecycle lifecycle, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (CheckComment(body.Comment) is { } bad)
        {
            return bad;
        }

        var machine = await MachineEndpoints.FindAsync(db, id, cancellationToken);
        var (action, refused) = await StartOnAsync(machine, id, MachineActionTypes.Unisolate, null, body.Comment, DevicePlatforms.Any,
            db, lifecycle, user, cancellationToken, acceptUnmanaged: machine?.IsolationState == IsolationStates.Isolated);
        if (refused is not null)
        {
            return refused;
        }

        if (!await SetIsolationAsync(db, machine!.Id, from: IsolationStates.Isolated, to: IsolationStates.NotIsolated, cancellationToken))
        {
            await lifecycle.WithdrawAsync(action!, cancellationToken);
            return DefenderResults.Error(DefenderError.DisallowedOperation($"Machine {machine.Id} is not isolated."));
        }

        return Created(action!);
    }

    internal static async Task<Results<ODataCreated<MachineAction>, DefenderErrorResult>> RunAntivirusScan(
        string id, AntivirusScanRequest body, SampleDbContext db, MachineActionLifecycle lifecycle, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (CheckComment(body.Comment) is { } bad)
        {
            return bad;
        }

        if (body.ScanType is null)
        {
            return DefenderResults.Error(DefenderError.MissingRequiredParameter("ScanType"));
        }

        if (!ScanTypes.Contains(body.ScanType, StringComparer.Ordinal))
        {
            return DefenderResults.Error(DefenderError.InvalidInput(body.ScanType));
        }

        var machine = await MachineEndpoints.FindAsync(db, id, cancellationToken);
        var (action, refused) = await StartOnAsync(machine, id, MachineActionTypes.RunAntiVirusScan, body.ScanType, body.Comment,
            DevicePlatforms.Antivirus, db, lifecycle, user, cancellationToken);
        return refused ?? (Results<ODataCreated<MachineAction>, DefenderErrorResult>)Created(action!);
    }

    internal static async Task<Results<ODataCreated<MachineAction>, DefenderErrorResult>> RestrictCodeExecution(
        string id, CommentRequest body, SampleDbContext db, MachineActionLifecycle lifecycle, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await SetRestrictionAsync(id, body, restrict: true, db, lifecycle, user, cancellationToken);

    internal static async Task<Results<ODataCreated<MachineAction>, DefenderErrorResult>> UnrestrictCodeExecution(
        string id, CommentRequest body, SampleDbContext db, MachineActionLifecycle lifecycle, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await SetRestrictionAsync(id, body, restrict: false, db, lifecycle, user, cancellationToken);

    internal static async Task<Results<ODataCreated<MachineAction>, DefenderErrorResult>> CollectInvestigationPackage(
        string id, CommentRequest body, SampleDbContext db, MachineActionLifecycle lifecycle, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (CheckComment(body.Comment) is { } bad)
        {
            return bad;
        }

        var machine = await MachineEndpoints.FindAsync(db, id, cancellationToken);
        var (action, refused) = await StartOnAsync(machine, id, MachineActionTypes.CollectInvestigationPackage, null, body.Comment,
            DevicePlatforms.Any, db, lifecycle, user, cancellationToken);
        return refused ?? (Results<ODataCreated<MachineAction>, DefenderErrorResult>)Created(action!);
    }

    internal static async Task<Results<ODataCreated<MachineAction>, DefenderErrorResult>> Offboard(
        string id, CommentRequest body, SampleDbContext db, MachineActionLifecycle lifecycle, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (CheckComment(body.Comment) is { } bad)
        {
            return bad;
        }

        var machine = await MachineEndpoints.FindAsync(db, id, cancellationToken);
        var (action, refused) = await StartOnAsync(machine, id, MachineActionTypes.Offboard, null, body.Comment,
            DevicePlatforms.Offboarding, db, lifecycle, user, cancellationToken);
        return refused ?? (Results<ODataCreated<MachineAction>, DefenderErrorResult>)Created(action!);
    }

    internal static async Task<Results<ODataCreated<MachineAction>, DefenderErrorResult>> RunLiveResponse(
        string id, LiveResponseRequest body, SampleDbContext db, MachineActionLifecycle lifecycle, ClaimsPrincipal user,
        IOptionsSnapshot<SampleApiOptions> options, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (LiveResponseDisabled(user, options.Value) is { } disabled)
        {
            return disabled;
        }

        if (body.Commands is null)
        {
            return DefenderResults.Error(DefenderError.MissingRequiredParameter("Commands"));
        }

        if (CheckComment(body.Comment) is { } bad)
        {
            return bad;
        }

        if (LiveResponseRules.Check(body.Commands) is { } invalid)
        {
            return DefenderResults.Error(invalid);
        }

        var machine = await MachineEndpoints.FindAsync(db, id, cancellationToken);
        if (Refusal(machine, id, MachineActionTypes.LiveResponse, DevicePlatforms.Any, acceptUnmanaged: false) is { } refused)
        {
            return refused;
        }

        await lifecycle.CompleteDueAsync(cancellationToken);

        // Defender's cap on running sessions: one more is throttled, with the time until the oldest one ends.
        var running = await db.MachineActions.AsNoTracking()
            .Where(a => a.Type == MachineActionTypes.LiveResponse && a.Status == MachineActionStatuses.Pending)
            .OrderBy(a => a.CreationDateTimeUtc)
            .Select(a => a.CreationDateTimeUtc)
            .Take(options.Value.RateLimits.LiveResponseSessions)
            .ToListAsync(cancellationToken);
        if (options.Value.RateLimits.Enabled && running.Count >= options.Value.RateLimits.LiveResponseSessions)
        {
            var wait = running.Count == 0 ? TimeSpan.Zero : running[0] + lifecycle.CompletionDelay - lifecycle.Now;
            httpContext.Response.Headers.RetryAfter = SampleRateLimits.RetryAfterSeconds(wait);
            return DefenderResults.Error(new DefenderError(SampleRateLimits.TooManyRequests));
        }

        var commands = body.Commands.Select((c, i) => new LiveResponseCommandResult
        {
            Index = i,
            CommandStatus = "Created",
            Command = new LiveResponseCommandBody
            {
                Type = c!.Type,
                Params = c.Params?.Select(p => new LiveResponseCommandParameter { Key = p?.Key, Value = p?.Value }).ToList() ?? [],
            },
        }).ToList();
        var (action, inProgress) = await lifecycle.StartAsync(machine!, MachineActionTypes.LiveResponse, null, body.Comment, user, commands, cancellationToken);
        return action is null ? DefenderResults.Error(inProgress!.Value) : Created(action);
    }

    // Microsoft.AspNetCore.OData applies the query in the database (a bad one is 400 ODataError); a page holds at most
    // SampleApi:Paging:PageSize actions and ends with @odata.nextLink when there are more.
    internal static async Task<DefenderODataResult<MachineAction>> ListMachineActions(ODataQueryOptions<MachineAction> query, SampleDbContext db,
        MachineActionLifecycle lifecycle, HttpRequest request, CancellationToken cancellationToken)
    {
        await lifecycle.CompleteDueAsync(cancellationToken);
        return query.ToDefenderResult(db.MachineActions.AsNoTracking(), ODataEntityWriter.Context(request, "MachineActions"));
    }

    internal static async Task<Results<ODataOk<MachineAction>, DefenderErrorResult>> GetMachineAction(
        string id, SampleDbContext db, MachineActionLifecycle lifecycle, CancellationToken cancellationToken)
    {
        await lifecycle.CompleteDueAsync(cancellationToken);
        var action = await db.MachineActions.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        return action is null ? ActionNotFound(id) : new ODataOk<MachineAction>(action, "MachineActions/$entity");
    }

    internal static async Task<Results<ODataOk<MachineAction>, DefenderErrorResult>> Cancel(
        string id, CancelRequest body, SampleDbContext db, MachineActionLifecycle lifecycle, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (FieldLimits.Check("Comment", body.Comment, FieldLimits.Comment) is { } tooLong)
        {
            return DefenderResults.Error(tooLong);
        }

        await lifecycle.CompleteDueAsync(cancellationToken);
        var action = await db.MachineActions.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (action is null)
        {
            return ActionNotFound(id);
        }

        var now = lifecycle.Now;
        var requestor = user.Identity?.Name ?? "unknown";
        var cancelled = await db.MachineActions
            .Where(a => a.Id == id && (a.Status == MachineActionStatuses.Pending || a.Status == MachineActionStatuses.InProgress))
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.Status, MachineActionStatuses.Cancelled)
                .SetProperty(a => a.CancellationRequestor, requestor)
                .SetProperty(a => a.CancellationComment, body.Comment)
                .SetProperty(a => a.CancellationDateTimeUtc, now)
                .SetProperty(a => a.LastUpdateDateTimeUtc, now), cancellationToken);
        if (cancelled == 0)
        {
            var final = await db.MachineActions.AsNoTracking().Where(a => a.Id == id).Select(a => a.Status).FirstAsync(cancellationToken);
            return DefenderResults.Error(DefenderError.DisallowedOperation(
                $"Machine action {id} is {final}: only a Pending or InProgress action can be cancelled."));
        }

        // A cancelled isolation or release puts the machine back as it was.
        if (action.Type == MachineActionTypes.Isolate)
        {
            await SetIsolationAsync(db, action.MachineId, IsolationStates.Isolated, IsolationStates.NotIsolated, cancellationToken);
        }
        else if (action.Type == MachineActionTypes.Unisolate)
        {
            await SetIsolationAsync(db, action.MachineId, IsolationStates.NotIsolated, IsolationStates.Isolated, cancellationToken);
        }

        var updated = await db.MachineActions.AsNoTracking().FirstAsync(a => a.Id == id, cancellationToken);
        return new ODataOk<MachineAction>(updated, "MachineActions/$entity");
    }

    internal static async Task<Results<ODataOk<ODataValue<string>>, DefenderErrorResult>> LiveResponseResultLink(
        string id, string index, SampleDbContext db, MachineActionLifecycle lifecycle, LiveResponseResults results, HttpRequest request,
        ClaimsPrincipal user, IOptionsSnapshot<SampleApiOptions> options, CancellationToken cancellationToken)
    {
        // As for running a session, before anything is looked up.
        if (LiveResponseDisabled(user, options.Value) is { } disabled)
        {
            return disabled;
        }

        if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var commandIndex))
        {
            return DefenderResults.Error(DefenderError.InvalidInput(index));
        }

        await lifecycle.CompleteDueAsync(cancellationToken);
        var action = await db.MachineActions.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (action is null || action.Type != MachineActionTypes.LiveResponse)
        {
            return ActionNotFound(id);
        }

        if (commandIndex >= action.Commands.Count)
        {
            return DefenderResults.Error(DefenderError.ResourceNotFound("Command", $"{index} of machine action {id}"));
        }

        if (action.Status != MachineActionStatuses.Succeeded)
        {
            return DefenderResults.Error(DefenderError.DisallowedOperation(
                $"Machine action {id} is {action.Status}: results are available once it has succeeded."));
        }

        if (action.Commands[commandIndex].Command.Type == LiveResponseRules.PutFile)
        {
            // Defender: "PutFile doesn't have a response result".
            return DefenderResults.Error(DefenderError.ResourceNotFound("Command result", $"{index} of machine action {id}"));
        }

        var link = results.CreateLink(request, id, commandIndex);
        return new ODataOk<ODataValue<string>>(new ODataValue<string> { Value = link }, "Edm.String");
    }

    // A tenant setting, not a permission: the token may hold Machine.LiveResponse and still be refused.
    private static DefenderErrorResult? LiveResponseDisabled(ClaimsPrincipal user, SampleApiOptions options) =>
        options.TenantHasFeature(user.FindFirstValue(BearerTokenHandler.TenantClaim), TenantFeatures.LiveResponse)
            ? null
            : DefenderResults.Error(DefenderError.DisabledFeature("Tenant feature LiveResponse is not enabled."));

    private static Results<ODataCreated<MachineAction>, DefenderErrorResult> Created(MachineAction action) =>
        new ODataCreated<MachineAction>(action, "MachineActions/$entity", $"/api/machineactions/{action.Id}");

    private static async Task<Results<ODataCreated<MachineAction>, DefenderErrorResult>> SetRestrictionAsync(string id, CommentRequest body,
        bool restrict, SampleDbContext db, MachineActionLifecycle lifecycle, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (CheckComment(body.Comment) is { } bad)
        {
            return bad;
        }

        var type = restrict ? MachineActionTypes.RestrictCodeExecution : MachineActionTypes.UnrestrictCodeExecution;
        var machine = await MachineEndpoints.FindAsync(db, id, cancellationToken);
        if (Refusal(machine, id, type, DevicePlatforms.AppRestriction, acceptUnmanaged: false) is { } refused)
        {
            return refused;
        }

        // The machine is restricted when the latest restriction action that was not cancelled or failed restricted it.
        await lifecycle.CompleteDueAsync(cancellationToken);
        var latest = await db.MachineActions.AsNoTracking()
            .Where(a => a.MachineId == machine!.Id
                && (a.Type == MachineActionTypes.RestrictCodeExecution || a.Type == MachineActionTypes.UnrestrictCodeExecution)
                && a.Status != MachineActionStatuses.Cancelled && a.Status != MachineActionStatuses.Failed)
            .OrderByDescending(a => a.CreationDateTimeUtc)
            .Select(a => a.Type)
            .FirstOrDefaultAsync(cancellationToken);
        var restricted = latest == MachineActionTypes.RestrictCodeExecution;
        if (restrict && restricted)
        {
            return DefenderResults.Error(MachineActionLifecycle.InProgress());
        }

        if (!restrict && !restricted)
        {
            return DefenderResults.Error(DefenderError.DisallowedOperation($"Machine {machine!.Id} has no application restriction."));
        }

        var (action, inProgress) = await lifecycle.StartAsync(machine!, type, null, body.Comment, user, null, cancellationToken);
        return action is null ? DefenderResults.Error(inProgress!.Value) : Created(action);
    }

    /// <summary>Finds the machine, checks it can run <paramref name="type"/>, and records the pending action.</summary>
    private static async Task<(MachineAction? Action, DefenderErrorResult? Refused)> StartOnAsync(Machine? machine, string id, string type,
        string? scope, string comment, DeviceSupport platforms, SampleDbContext db, MachineActionLifecycle lifecycle, ClaimsPrincipal user,
        CancellationToken cancellationToken, bool acceptUnmanaged = false)
    {
        if (Refusal(machine, id, type, platforms, acceptUnmanaged) is { } refused)
        {
            return (null, refused);
        }

        await lifecycle.CompleteDueAsync(cancellationToken);
        var (action, inProgress) = await lifecycle.StartAsync(machine!, type, scope, comment, user, null, cancellationToken);
        return action is null ? (null, DefenderResults.Error(inProgress!.Value)) : (action, null);
    }

    private static async Task<(Machine? Machine, DefenderErrorResult? Refused)> FindReadyAsync(SampleDbContext db, string id, string type,
        bool unmanaged, DeviceSupport platforms, CancellationToken cancellationToken)
    {
        var machine = await MachineEndpoints.FindAsync(db, id, cancellationToken);
        if (machine is null)
        {
            return (null, MachineEndpoints.MachineNotFound(id));
        }

        var onboarded = machine.OnboardingStatus == OnboardingStatuses.Onboarded;
        if (unmanaged && onboarded)
        {
            return (null, DefenderResults.Error(DefenderError.DisallowedOperation(
                $"Machine {machine.Id} is onboarded; IsolationType UnManagedDevice is for devices without the sensor.")));
        }

        return (machine, unmanaged ? null : Refusal(machine, id, type, platforms, acceptUnmanaged: false));
    }

    /// <summary>Why <paramref name="machine"/> cannot run <paramref name="type"/>, or null when it can.</summary>
    private static DefenderErrorResult? Refusal(Machine? machine, string id, string type, DeviceSupport platforms, bool acceptUnmanaged)
    {
        if (machine is null)
        {
            return MachineEndpoints.MachineNotFound(id);
        }

        if (machine.OnboardingStatus != OnboardingStatuses.Onboarded && !acceptUnmanaged)
        {
            return DefenderResults.Error(DefenderError.DisallowedOperation(
                $"Machine {machine.Id} is not onboarded ({machine.OnboardingStatus}); {type} needs the sensor."));
        }

        if (machine.OnboardingStatus != OnboardingStatuses.Onboarded)
        {
            return null;
        }

        if (DevicePlatforms.Refuses(platforms, machine) is { } platform)
        {
            return DefenderResults.Error(DefenderError.OsPlatformNotSupported(platform));
        }

        return AgentTooOld(machine, type);
    }

    private static DefenderErrorResult? AgentTooOld(Machine machine, string action)
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

    private static DefenderErrorResult? CheckComment(string? comment) =>
        comment is null ? DefenderResults.Error(DefenderError.MissingRequiredParameter("Comment"))
        : FieldLimits.Check("Comment", comment, FieldLimits.Comment) is { } tooLong ? DefenderResults.Error(tooLong)
        : null;

    private static async Task<bool> SetIsolationAsync(SampleDbContext db, string machineId, string from, string to, CancellationToken cancellationToken) =>
        await db.Machines
            .Where(m => m.Id == machineId && m.IsolationState == from)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.IsolationState, to), cancellationToken) == 1;

    private static DefenderErrorResult ActionNotFound(string id) => DefenderResults.Error(DefenderError.ResourceNotFound("MachineAction", id));

    private static RouteHandlerBuilder Action(this RouteHandlerBuilder builder, DefenderErrorCode[] deviceErrors) => builder
        .ProducesDefenderError(MachineEndpoints.BodyErrors)
        .ProducesDefenderError(deviceErrors)
        .ProducesDefenderError(MachineActionLifecycle.ActiveRequestAlreadyExists);
}

/// <summary>Defender's isolation types.</summary>
internal static class IsolationTypes
{
    public const string Full = "Full";
    public const string Selective = "Selective";
    public const string UnManagedDevice = "UnManagedDevice";

    public static readonly string[] All = [Full, Selective, UnManagedDevice];
}
