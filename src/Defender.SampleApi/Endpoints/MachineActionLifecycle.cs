using System.Security.Claims;
using Defender.ErrorMiddleware;
using Defender.SampleApi.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Defender.SampleApi.Endpoints;

/// <summary>
/// How a machine action lives: it starts <c>Pending</c> and the simulated device reports it <c>Succeeded</c> after
/// <see cref="ActionOptions.CompletionSeconds"/> (applied lazily, on the next call that reads or starts actions, against the
/// app's <see cref="TimeProvider"/>). One pending action of each type per machine: the database's filtered unique index decides,
/// so two racing requests cannot both start one.
/// </summary>
internal sealed class MachineActionLifecycle(SampleDbContext db, TimeProvider time, IOptionsSnapshot<SampleApiOptions> options)
{
    /// <summary>The application-registered code Defender answers a repeated action with (400).</summary>
    public const string ActiveRequestAlreadyExists = "ActiveRequestAlreadyExists";

    /// <summary>Defender's documented message for a repeated action.</summary>
    public const string InProgressMessage = "Action is already in progress";

    public DateTime Now => time.GetUtcNow().UtcDateTime;

    public TimeSpan CompletionDelay => TimeSpan.FromSeconds(Math.Max(0, options.Value.Actions.CompletionSeconds));

    public static DefenderError InProgress() => new(ActiveRequestAlreadyExists, InProgressMessage);

    /// <summary>Marks every pending action whose device has had time to finish as <c>Succeeded</c>.</summary>
    public async Task CompleteDueAsync(CancellationToken cancellationToken)
    {
        var delay = CompletionDelay;
        var due = Now - delay;
        var actions = await db.MachineActions
            .Where(a => a.Status == MachineActionStatuses.Pending && a.CreationDateTimeUtc <= due)
            .ToListAsync(cancellationToken);
        if (actions.Count == 0)
        {
            return;
        }

        foreach (var action in actions)
        {
            var finished = action.CreationDateTimeUtc + delay;
            action.Status = MachineActionStatuses.Succeeded;
            action.LastUpdateDateTimeUtc = finished;
            foreach (var command in action.Commands)
            {
                command.CommandStatus = "Completed";
                command.StartTime = action.CreationDateTimeUtc;
                command.EndTime = finished;
            }
        }

        // Two requests completing the same actions write the same values; neither has to win.
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }

    /// <summary>Records a pending action, or answers "Action is already in progress" when one of its type is pending on the machine.</summary>
    public async Task<(MachineAction? Action, DefenderError? Error)> StartAsync(Machine machine, string type, string? scope, string comment,
        ClaimsPrincipal user, List<LiveResponseCommandResult>? commands, CancellationToken cancellationToken)
    {
        var now = Now;
        var requestor = user.Identity?.Name ?? "unknown";
        var action = new MachineAction
        {
            Id = Guid.NewGuid().ToString(),
            Type = type,
            Scope = scope,
            Requestor = requestor,
            RequestSource = requestor,
            RequestorComment = comment,
            Status = MachineActionStatuses.Pending,
            MachineId = machine.Id,
            ComputerDnsName = machine.ComputerDnsName,
            CreationDateTimeUtc = now,
            LastUpdateDateTimeUtc = now,
            Commands = commands ?? [],
        };
        db.MachineActions.Add(action);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (SampleDatabase.IsUniqueViolation(exception))
        {
            db.ChangeTracker.Clear();
            return (null, InProgress());
        }

        db.Entry(action).State = EntityState.Detached;
        return (action, null);
    }

    /// <summary>Removes an action that <see cref="StartAsync"/> recorded when the machine's state then refused it.</summary>
    public Task WithdrawAsync(MachineAction action, CancellationToken cancellationToken) =>
        db.MachineActions.Where(a => a.Id == action.Id).ExecuteDeleteAsync(cancellationToken);
}
