! linsolve: solve A x = b with LAPACK's DGESV. Input: n, then n rows of A, then b.
program linsolve
  implicit none
  integer :: n, i, info, u, ios
  integer, allocatable :: ipiv(:)
  double precision, allocatable :: a(:,:), b(:), a0(:,:), b0(:)
  character(len=512) :: path
  external :: dgesv

  if (command_argument_count() >= 1) then
    call get_command_argument(1, path)
  else
    path = DATADIR // '/system.txt'
  end if

  open(newunit=u, file=trim(path), status='old', action='read', iostat=ios)
  if (ios /= 0) then
    write(0, '(a)') 'linsolve: cannot open ' // trim(path)
    stop 1
  end if
  read(u, *) n
  allocate(a(n, n), b(n), ipiv(n))
  do i = 1, n
    read(u, *) a(i, :)
  end do
  read(u, *) b
  close(u)
  a0 = a
  b0 = b

  call dgesv(n, 1, a, n, ipiv, b, n, info)
  if (info /= 0) then
    write(0, '(a, i0)') 'linsolve: dgesv failed, info = ', info
    stop 2
  end if

  write(*, '(a, i0, a, a)') 'solved ', n, 'x', trim(adjustl(itoa(n))) // ' system from ' // trim(path)
  do i = 1, n
    write(*, '(a, i0, a, f12.6)') 'x(', i, ') = ', b(i)
  end do
  write(*, '(a, es10.2)') 'residual: ', maxval(abs(matmul(a0, b) - b0))

contains

  function itoa(k) result(s)
    integer, intent(in) :: k
    character(len=16) :: s
    write(s, '(i0)') k
  end function itoa

end program linsolve
